package org.lopt4j.metatrain.outer;

/**
 * A gradient estimator's persistent worker state: the truncated unroll (null for full ES, which starts fresh every
 * call) and, for PES, the perturbation accumulator of each problem over the flat θ (null otherwise).
 */
public record EstimatorState(UnrollState unroll, double[][] accumulators) {
    /** The stateless worker state. */
    public static final EstimatorState NONE = new EstimatorState(null, null);

    /** A deep copy. */
    public EstimatorState copy() {
        double[][] a = null;
        if (accumulators != null) {
            a = new double[accumulators.length][];
            for (int i = 0; i < a.length; i++) a[i] = accumulators[i].clone();
        }
        return new EstimatorState(unroll == null ? null : unroll.copy(), a);
    }
}
