package org.lopt4j.optim;

/** A learning rate as a function of the update index {@code s} (0 first) and the planned number of steps {@code T}. */
public sealed interface Schedule {
    double at(int s, int total);

    /** A constant learning rate. */
    record Constant(double lr) implements Schedule {
        @Override public double at(int s, int total) { return lr; }
    }

    /** Linear warmup from 0 to {@code lr} over {@code warmup} steps, then constant. */
    record LinearWarmup(double lr, int warmup) implements Schedule {
        @Override public double at(int s, int total) { return s < warmup ? lr * s / warmup : lr; }
    }

    /** Linear decay from {@code lr} at step 0 to {@code lr·endMult} at step T. */
    record LinearDecay(double lr, double endMult) implements Schedule {
        @Override public double at(int s, int total) {
            double f = total <= 0 ? 0 : Math.min(1.0, (double) s / total);
            return lr * (1 - f) + lr * endMult * f;
        }
    }

    /**
     * learned_optimization's {@code CosineLearningRateSchedule} in float32, including its quirk that warmup spans
     * max(warmup, constant) fraction of T: constant until C = constantFraction·T, then half a cosine to lr·minMult.
     */
    record Cosine(double lr, double minMult, double constantFraction, double warmupFraction) implements Schedule {
        public Cosine {
            if (constantFraction >= 1) throw new IllegalArgumentException("constant_fraction = 1 divides by zero");
        }

        @Override public double at(int s, int total) {
            float t = total, sp = Math.min(s, total), c = (float) constantFraction * t, x = Math.max(sp, c);
            float lrf = (float) lr, lrMin = (float) minMult * lrf;
            float decay = (lrf - lrMin) * ((float) Math.cos(Math.PI * (x - c) / (t - c)) / 2f + 0.5f) + lrMin;
            if (warmupFraction > 0) {
                float w = (float) Math.max(warmupFraction, constantFraction) * t;
                return sp < w ? (sp / w) * lrf : decay;
            }
            return decay;
        }
    }
}
