package org.lopt4j.metatrain.outer;

import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * Full-length ES (outer_training.md §7): every call draws an unroll length from {@code lengths}, rounds it down to a
 * multiple of {@code stepsPerJit}, initializes fresh ± problems with the same key and trains them the whole way; the
 * meta-loss is {@link LossType avg, min, last or last_recompute}; a NaN/inf difference counts 0, then the optional
 * clip, then the optional sign trick. {@code base} must use a {@link TruncationSchedule.NeverEnding} schedule.
 */
public record FullEs(TruncatedUnroll base, TruncationSchedule lengths, int stepsPerJit, double sigma, LossType lossType,
                     int recomputeSamples, double clipLossDiff, double signDelta) implements GradientEstimator {
    /** How a whole unroll's losses become one meta-loss. */
    public enum LossType {
        AVG, MIN, LAST, LAST_RECOMPUTE;

        /** Upstream's name: avg, min, last or last_recompute. */
        public static LossType parse(String s) {
            for (LossType t : values()) if (t.name().equalsIgnoreCase(s)) return t;
            throw new IllegalArgumentException("unknown full-ES loss type '" + s + "'; known: avg, min, last, last_recompute");
        }
    }

    public FullEs {
        if (!(base.schedule() instanceof TruncationSchedule.NeverEnding))
            throw new IllegalArgumentException("full ES needs a never-ending truncation schedule inside the unroll, got " + base.schedule());
        if (base.copies() != 2) throw new IllegalArgumentException("full ES needs an antithetic unroll (2 copies)");
        if (lossType == LossType.LAST_RECOMPUTE && base.family() != null) throw new IllegalArgumentException("last_recompute needs one fixed task");
    }

    @Override public String name() { return "full_es"; }

    /** The unroll length of a call: the drawn length rounded down to a multiple of stepsPerJit, at least stepsPerJit. */
    public int length(RandomKey key) {
        int l = lengths.sampleLength(key);
        return Math.max(l / stepsPerJit * stepsPerJit, stepsPerJit);
    }

    @Override public EstimatorState init(double[] theta, RandomKey key) { return EstimatorState.NONE; }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState in) {
        int n = base.problems(), len = length(key.child(2));
        TruncatedUnroll u = new TruncatedUnroll(base.task(), base.lopt(), base.schedule(), n, 2, 0, len, base.backend(), base.metaLossSplit(), base.family());
        double[][] eps = new double[n][];
        for (int i = 0; i < n; i++) eps[i] = Perturbations.epsilon(base.lopt().thetaLayout(), key.child(0).child(i), sigma);
        Slab pop = Perturbations.population(base.lopt(), theta, eps, n, 2);
        UnrollState s = u.init(key.child(3), pop);
        Trajectory tr = Trajectory.run(u, s, pop, key.child(1), len);
        double[] lossOf = new double[2 * n];
        for (int m = 0; m < 2 * n; m++) lossOf[m] = switch (lossType) {
            case AVG -> { double a = 0; for (double[] l : tr.loss()) a += l[m] / len; yield a; }
            case MIN -> { double a = Double.POSITIVE_INFINITY; for (double[] l : tr.loss()) a = Math.min(a, l[m]); yield a; }
            case LAST -> tr.loss()[len - 1][m];
            case LAST_RECOMPUTE -> 0;
        };
        if (lossType == LossType.LAST_RECOMPUTE) {
            for (int r = 0; r < recomputeSamples; r++) {
                double[] l = base.task().loss(s.params(), 2 * n, u.freshBatch(key.child(4).child(r), Split.TRAIN));
                for (int m = 0; m < 2 * n; m++) lossOf[m] += base.task().normalize(l[m]) / recomputeSamples;
            }
        }
        double[] grad = new double[theta.length];
        double meanLoss = 0;
        for (int i = 0; i < n; i++) {
            double delta = lossOf[i] - lossOf[n + i];
            if (!Double.isFinite(delta)) delta = 0;
            if (clipLossDiff > 0) delta = Math.max(-clipLossDiff, Math.min(clipLossDiff, delta));
            if (signDelta > 0) delta = Math.signum(delta) * signDelta;
            for (int j = 0; j < grad.length; j++) grad[j] += delta * eps[i][j] / (n * 2 * sigma * sigma);
            meanLoss += (lossOf[i] + lossOf[n + i]) / (2 * n);
        }
        return new Estimate(meanLoss, grad, in);
    }
}
