package org.lopt4j.tensor;

/**
 * Turns Philox blocks into numbers. The definitions (each a fixed sequence of integer ops and correctly rounded
 * float ops, see {@link PortableMath}) are what CUDA and OpenCL kernels reproduce bit for bit:
 * <ul>
 *   <li>draw j of element i is the block at counter {@code (i_lo, i_hi, j, 0)}, words w0..w3;</li>
 *   <li>UNIFORM F32: {@code (w0 >>> 8)·2⁻²⁴}; F64: {@code ((w0 >>> 5)·2²⁶ + (w1 >>> 6))·2⁻⁵³} — in [0, 1);</li>
 *   <li>NORMAL (Box–Muller, cosine branch) from draw 0: {@code u1 = ((w0 >>> 8) + 1)·2⁻²⁴} in (0, 1],
 *       {@code u2 = (w1 >>> 8)·2⁻²⁴}, {@code z = sqrt(−2·log(u1))·cosTurns(u2)} (F64: 53-bit u1 from w0,w1 and
 *       u2 from w2,w3);</li>
 *   <li>TRUNCATED_NORMAL on [−2, 2]: the first of draws 0..7 whose normal has |z| ≤ 2, else the last clamped
 *       (probability about 2e-11).</li>
 * </ul>
 */
final class Sampling {
    /** Candidates tried for a truncated normal before clamping. */
    static final int TRUNCATION_TRIES = 8;

    private Sampling() {}

    static double sample(RandomKey key, Op.Dist dist, DType dtype, long i) {
        boolean f64 = dtype == DType.F64;
        return switch (dist) {
            case UNIFORM -> {
                int[] w = key.block((int) i, (int) (i >>> 32), 0, 0);
                yield f64 ? uniform53(w[0], w[1]) : uniform24(w[0]);
            }
            case NORMAL -> f64 ? normal64(key, i, 0) : normal32(key, i, 0);
            case TRUNCATED_NORMAL -> {
                double z = 0;
                for (int j = 0; j < TRUNCATION_TRIES; j++) {
                    z = f64 ? normal64(key, i, j) : normal32(key, i, j);
                    if (z >= -2 && z <= 2) yield z;
                }
                yield Math.max(-2, Math.min(2, z));
            }
        };
    }

    static float normal32(RandomKey key, long i, int draw) {
        int[] w = key.block((int) i, (int) (i >>> 32), draw, 0);
        float u1 = ((w[0] >>> 8) + 1) * 0x1.0p-24f;
        float u2 = (w[1] >>> 8) * 0x1.0p-24f;
        return (float) Math.sqrt(-2f * PortableMath.log(u1)) * PortableMath.cosTurns(u2);
    }

    static double normal64(RandomKey key, long i, int draw) {
        int[] w = key.block((int) i, (int) (i >>> 32), draw, 0);
        double u1 = uniform53(w[0], w[1]) + 0x1.0p-53;
        double u2 = uniform53(w[2], w[3]);
        return Math.sqrt(-2.0 * PortableMath.log(u1)) * PortableMath.cosTurns(u2);
    }

    /** A float in [0, 1) from the top 24 bits of a word. */
    static float uniform24(int word) { return (word >>> 8) * 0x1.0p-24f; }

    /** A double in [0, 1) from 27 + 26 bits of two words. */
    static double uniform53(int a, int b) { return ((a >>> 5) * 67108864.0 + (b >>> 6)) * 0x1.0p-53; }
}
