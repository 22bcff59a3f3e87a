package org.lopt4j.tensor;

/** Turns Philox blocks into uniform, normal and truncated-normal numbers. */
final class Sampling {
    private Sampling() {}

    static double sample(RandomKey key, Op.Dist dist, DType dtype, long i) {
        int[] w = key.block((int) i, (int) (i >>> 32), 0, 0);
        return switch (dist) {
            case UNIFORM -> uniform24(w[0]);
            case NORMAL -> Math.sqrt(-2 * Math.log(1 - uniform24(w[0]))) * Math.cos(2 * Math.PI * uniform24(w[1]));
            case TRUNCATED_NORMAL -> Math.max(-2, Math.min(2, Math.sqrt(-2 * Math.log(1 - uniform24(w[0])))
                    * Math.cos(2 * Math.PI * uniform24(w[1]))));
        };
    }

    /** A float in [0, 1) from the top 24 bits of a word. */
    static float uniform24(int word) { return (word >>> 8) * 0x1.0p-24f; }
}
