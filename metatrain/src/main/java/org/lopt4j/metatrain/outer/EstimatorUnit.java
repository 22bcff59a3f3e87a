package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;

/**
 * One unit of work: estimator {@code estimatorId}'s call at outer step {@code step} with θ (version = step), the call's
 * key (derived from the run seed, the step and the estimator id: the unit stores seeds, never noise) and the worker
 * state it continues from. Running it does not modify its inputs.
 */
public record EstimatorUnit(String id, int step, int estimatorId, double[] theta, RandomKey key, GradientEstimator estimator,
                            EstimatorState state) {
    /** Computes the estimate. */
    public UnitResult run() {
        long t0 = System.nanoTime();
        GradientEstimator.Estimate e = estimator.estimate(theta, key, state);
        return new UnitResult(id, estimatorId, e.meanLoss(), e.grad(), e.next(), (System.nanoTime() - t0) / 1e9);
    }
}
