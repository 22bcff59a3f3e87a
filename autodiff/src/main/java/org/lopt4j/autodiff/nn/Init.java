package org.lopt4j.autodiff.nn;

/** How a parameter starts: Haiku's defaults for dense/conv weights are truncated normal, biases zeros. */
public sealed interface Init {
    /** All zeros. */
    record Zeros() implements Init {}
    /** All ones (layer-norm scales). */
    record Ones() implements Init {}
    /**
     * Haiku's {@code TruncatedNormal(stddev)}: a standard normal truncated to [-2, 2], scaled by
     * {@code stddev / 0.87962566103423978} so the result has standard deviation {@code stddev}.
     */
    record TruncatedNormal(double stddev) implements Init {
        /** Standard deviation of the standard normal truncated to [-2, 2]. */
        public static final double TRUNCATED_STD = 0.87962566103423978;
    }

    /** Haiku's default for a weight with {@code fanIn} inputs: truncated normal with stddev 1/sqrt(fan_in). */
    static Init fanIn(int fanIn) { return new TruncatedNormal(1.0 / Math.sqrt(fanIn)); }
}
