package org.lopt4j.optim;

/**
 * A learning rate as a function of the update index {@code s} (0 first: the state's count of applied updates) and the
 * planned number of steps {@code T} ({@link StepInfo#numSteps()}; schedules that need it reject {@code T ≤ 0}).
 */
public sealed interface Schedule {
    double at(int s, int total);

    /** A constant learning rate. */
    record Constant(double lr) implements Schedule {
        @Override public double at(int s, int total) { return lr; }
    }

    /** Linear warmup from 0 at s = 0 to {@code lr} at s = {@code warmup}, then constant. */
    record LinearWarmup(double lr, int warmup) implements Schedule {
        public LinearWarmup {
            if (warmup < 1) throw new IllegalArgumentException("linear warmup needs warmup >= 1 steps, got " + warmup);
        }

        @Override public double at(int s, int total) { return s < warmup ? lr * s / warmup : lr; }
    }

    /** Linear decay from {@code lr} at s = 0 to {@code lr·endMult} at s = T, constant after. */
    record LinearDecay(double lr, double endMult) implements Schedule {
        @Override public double at(int s, int total) {
            double f = Math.min(1.0, (double) s / planned(total, "linear decay"));
            return lr * (1 - f) + lr * endMult * f;
        }
    }

    /**
     * learned_optimization's {@code CosineLearningRateSchedule(lr, min_learning_rate_mult, constant_fraction,
     * warmup_fraction)} in float32, including its quirk that warmup spans max(warmup, constant) fraction of T: with
     * {@code s' = min(s, T)}, {@code C = constantFraction·T}, the decay half-cosine runs from lr at C to
     * {@code lr·minMult} at T; with warmup, {@code s' < W = max(warmup, constant)·T} gives {@code (s'/W)·lr}.
     */
    record Cosine(double lr, double minMult, double constantFraction, double warmupFraction) implements Schedule {
        public Cosine {
            if (!(constantFraction >= 0 && constantFraction < 1)) {
                throw new IllegalArgumentException("cosine constant_fraction must be in [0, 1) (1 divides by zero), got " + constantFraction);
            }
            if (!(warmupFraction >= 0 && warmupFraction <= 1)) throw new IllegalArgumentException("cosine warmup_fraction must be in [0, 1], got " + warmupFraction);
        }

        @Override public double at(int s, int total) {
            float t = planned(total, "cosine"), sp = Math.min(s, total), c = (float) constantFraction * t, x = Math.max(sp, c);
            float lrf = (float) lr, lrMin = (float) minMult * lrf;
            float decay = (lrf - lrMin) * ((float) Math.cos(Math.PI * (x - c) / (t - c)) / 2f + 0.5f) + lrMin;
            if (warmupFraction > 0) {
                float w = (float) Math.max(warmupFraction, constantFraction) * t;
                return sp < w ? (sp / w) * lrf : decay;
            }
            return decay;
        }
    }

    /** Multi-step decay: {@code lr}, times {@code factor} at each of the fractions {@code at} of T. */
    record MultiStep(double lr, double factor, double[] at) implements Schedule {
        @Override public double at(int s, int total) {
            double f = (double) s / planned(total, "multi-step"), v = lr;
            for (double b : at) if (f >= b) v *= factor;
            return v;
        }
    }

    /** Polynomial decay to 0 at T: {@code lr·(1 − s/T)^power} (power 2: quadratic). */
    record Polynomial(double lr, double power) implements Schedule {
        @Override public double at(int s, int total) { return lr * Math.pow(Math.max(0, 1 - (double) s / planned(total, "polynomial")), power); }
    }

    /** Exponential decay to {@code lr·endMult} at T: {@code lr·endMult^(s/T)}. */
    record Exponential(double lr, double endMult) implements Schedule {
        @Override public double at(int s, int total) { return lr * Math.pow(endMult, Math.min(1, (double) s / planned(total, "exponential"))); }
    }

    private static int planned(int total, String schedule) {
        if (total <= 0) throw new IllegalArgumentException(schedule + " schedule needs the planned number of steps (StepInfo.numSteps), got " + total);
        return total;
    }
}
