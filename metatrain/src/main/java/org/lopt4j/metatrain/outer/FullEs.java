package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;

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
        new PopulationEs(base, lossType, recomputeSamples, clipLossDiff, signDelta);   // checks the unroll and the loss type
    }

    /** The estimator over several θs this one is the one-θ case of. */
    public PopulationEs population() { return new PopulationEs(base, lossType, recomputeSamples, clipLossDiff, signDelta); }

    @Override public String name() { return "full_es"; }

    /** The unroll length of a call: the drawn length rounded down to a multiple of stepsPerJit, at least stepsPerJit. */
    public int length(RandomKey key) {
        int l = lengths.sampleLength(key);
        return Math.max(l / stepsPerJit * stepsPerJit, stepsPerJit);
    }

    @Override public EstimatorState init(double[] theta, RandomKey key) { return EstimatorState.NONE; }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState in) {
        PopulationEs.MemberEstimate e = population().estimate(new double[][] {theta}, new double[] {sigma},
                new int[] {length(key.child(2))}, base.problems(), key)[0];
        return new Estimate(e.meanLoss(), e.grad(), in);
    }
}
