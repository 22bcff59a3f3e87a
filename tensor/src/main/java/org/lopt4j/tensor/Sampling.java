package org.lopt4j.tensor;

/**
 * Turns Philox blocks into numbers: the definition that CUDA and OpenCL kernels reproduce bit for bit.
 *
 * <p>Element {@code i} of a random tensor uses one block, {@code w0..w3 = key.block(i_lo, i_hi, 0, 0)} (i as an
 * unsigned 64-bit counter split into 32-bit words), and nothing else, so it is a pure function of (key, i). Words are
 * read as unsigned 32-bit integers; {@code >>>} is a logical shift. Two integers are built from the words:
 * <ul>
 *   <li>{@code k24(w) = w >>> 8}, in [0, 2²⁴);</li>
 *   <li>{@code k53(a, b) = ((a >>> 5) << 26) | (b >>> 6)} as a 64-bit integer, in [0, 2⁵³).</li>
 * </ul>
 * Every integer-to-float conversion below is exact. F64 computes in double; every other dtype in float, through
 * {@link PortableMath} whose operation order is fixed (no FMA contraction, correctly rounded {@code + - * / sqrt}):
 * <ul>
 *   <li>UNIFORM in [0, 1). F32: {@code k24(w0) * 2⁻²⁴}; F64: {@code k53(w0, w2) * 2⁻⁵³}.</li>
 *   <li>NORMAL, Box–Muller, cosine branch. F32: {@code u = (k24(w0) + 1) * 2⁻²⁴} in (0, 1],
 *       {@code t = k24(w1) * 2⁻²⁴} in [0, 1); F64: {@code u = (k53(w0, w2) + 1) * 2⁻⁵³},
 *       {@code t = k53(w1, w3) * 2⁻⁵³}. Then {@code a = -2 * log(u)}, {@code r = sqrt(a)} (correctly rounded; in
 *       Java {@code (float) Math.sqrt(a)} is the correctly rounded float root), {@code z = r * cosTurns(t)}.
 *       |z| &lt;= 5.77 in F32 and 8.58 in F64.</li>
 *   <li>TRUNCATED_NORMAL, the standard normal restricted to [−2, 2], by inversion. F32:
 *       {@code c = (2·k24(w0) + 1 − 2²⁴) * 2⁻²⁴}, an odd multiple of 2⁻²⁴ in (−1, 1) symmetric about 0 (the
 *       integer is formed exactly in 32-bit arithmetic, then converted); F64:
 *       {@code c = (2·k53(w0, w2) + 1 − 2⁵³) * 2⁻⁵³} (64-bit arithmetic). Then {@code v = c * ERF_SQRT2} (erf(√2) rounded), {@code y = erfinv(v)},
 *       {@code z = y * SQRT2}, and finally {@code z = min(2, max(−2, z))}. Since erf(z/√2) is uniform on
 *       (−erf √2, erf √2), z has the normal law restricted to (−2, 2); the clamp only guards rounding.</li>
 * </ul>
 * Only the cosine output of Box–Muller is used, so each element stays one block. The top 24 bits of each F64
 * integer are the F32 one (k53(w0, ·) begins with k24(w0)), so F32 and F64 tensors drawn from one key agree to
 * about float precision, except Box–Muller where u lies within about 1e-3 of 0 or 1 (where its 24-bit rounding
 * shows).
 */
final class Sampling {
    /** erf(√2) = 2Φ(2) − 1 = 0.9544997361036416 rounded to float and to double. */
    static final float ERF_SQRT2_F = 0x1.e8b43p-1f;
    static final double ERF_SQRT2 = 0x1.e8b4307d3627ap-1;

    private Sampling() {}

    static double sample(RandomKey key, Op.Dist dist, DType dtype, long i) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("random " + dist + " needs a floating dtype, not " + dtype);
        }
        int[] w = key.block((int) i, (int) (i >>> 32), 0, 0);
        if (dtype == DType.F64) {
            return switch (dist) {
                case UNIFORM -> k53(w[0], w[2]) * 0x1p-53;
                case NORMAL -> normal((k53(w[0], w[2]) + 1) * 0x1p-53, k53(w[1], w[3]) * 0x1p-53);
                case TRUNCATED_NORMAL -> truncatedNormal(k53(w[0], w[2]));
            };
        }
        return switch (dist) {
            case UNIFORM -> k24(w[0]) * 0x1p-24f;
            case NORMAL -> normal((k24(w[0]) + 1) * 0x1p-24f, k24(w[1]) * 0x1p-24f);
            case TRUNCATED_NORMAL -> truncatedNormal(k24(w[0]));
        };
    }

    /** The top 24 bits of a word. */
    static int k24(int w) { return w >>> 8; }

    /** 27 bits of {@code a} above 26 bits of {@code b}: a 53-bit integer. */
    static long k53(int a, int b) { return ((long) (a >>> 5) << 26) | (b >>> 6); }

    /** Box–Muller in float: {@code sqrt(-2 log u) · cos(2π t)}, u in (0, 1], t in [0, 1). */
    static float normal(float u, float t) {
        float a = -2f * PortableMath.log(u);
        float r = (float) Math.sqrt(a);
        return r * PortableMath.cosTurns(t);
    }

    /** Box–Muller in double. */
    static double normal(double u, double t) {
        double a = -2.0 * PortableMath.log(u);
        double r = Math.sqrt(a);
        return r * PortableMath.cosTurns(t);
    }

    /** Truncated normal in float from a 24-bit integer. */
    static float truncatedNormal(int k) {
        float c = (2 * k + 1 - (1 << 24)) * 0x1p-24f;
        float v = c * ERF_SQRT2_F;
        float z = PortableMath.erfinv(v) * PortableMath.SQRT2_F;
        return Math.min(2f, Math.max(-2f, z));
    }

    /** Truncated normal in double from a 53-bit integer. */
    static double truncatedNormal(long k) {
        double c = (2 * k + 1 - (1L << 53)) * 0x1p-53;
        double v = c * ERF_SQRT2;
        double z = PortableMath.erfinv(v) * PortableMath.SQRT2;
        return Math.min(2.0, Math.max(-2.0, z));
    }
}
