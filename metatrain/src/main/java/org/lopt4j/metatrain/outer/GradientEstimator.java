package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;

/**
 * A meta-gradient estimator (outer_training.md §1): a worker state, and one estimate of ∇θ of the meta-loss per call.
 * {@link #estimate} never modifies the state it is given (it returns the next one), so a unit of work that is run
 * twice gives the same answer: the outer loop commits the returned state only when its step completes.
 */
public interface GradientEstimator {
    String name();

    /** The worker state for θ, from {@code key}. */
    EstimatorState init(double[] theta, RandomKey key);

    /**
     * A state laid out as a worker on the task drawn from {@code task} (null: the estimator's only task), for a
     * checkpoint or an encoded state to fill.
     */
    default EstimatorState blank(double[] theta, RandomKey task) { return init(theta, RandomKey.of(0)); }

    /** One estimate at θ with fresh randomness from {@code key}, continuing from {@code state}. */
    Estimate estimate(double[] theta, RandomKey key, EstimatorState state);

    /** An estimator's answer: the mean meta-loss, the gradient over the flat θ, and the next worker state. */
    record Estimate(double meanLoss, double[] grad, EstimatorState next) {}
}
