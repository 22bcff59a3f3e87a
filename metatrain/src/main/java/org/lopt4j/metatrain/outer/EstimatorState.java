package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;

/**
 * A gradient estimator's persistent worker state: the truncated unroll (null for full ES, which starts fresh every
 * call), for PES the perturbation accumulator of each problem over the flat θ (null otherwise), and for a worker of a
 * task mixture the key its task was drawn from (null for a single task).
 */
public record EstimatorState(UnrollState unroll, double[][] accumulators, RandomKey task) {
    /** The stateless worker state. */
    public static final EstimatorState NONE = new EstimatorState(null, null);

    /** A worker state of a single-task estimator. */
    public EstimatorState(UnrollState unroll, double[][] accumulators) { this(unroll, accumulators, null); }

    /** This state, of the task drawn from {@code key}. */
    public EstimatorState withTask(RandomKey key) { return new EstimatorState(unroll, accumulators, key); }

    /** A deep copy. */
    public EstimatorState copy() {
        double[][] a = null;
        if (accumulators != null) {
            a = new double[accumulators.length][];
            for (int i = 0; i < a.length; i++) a[i] = accumulators[i].clone();
        }
        return new EstimatorState(unroll == null ? null : unroll.copy(), a, task);
    }
}
