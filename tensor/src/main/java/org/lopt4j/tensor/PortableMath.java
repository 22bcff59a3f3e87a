package org.lopt4j.tensor;

/**
 * log and cos built only from correctly rounded IEEE {@code + - * /} and bit manipulation, in a fixed operation
 * order, so that a CUDA or OpenCL port (using {@code __fadd_rn}, {@code __fmul_rn}, {@code __fdiv_rn} and no FMA
 * contraction) computes the same bits as Java (which never contracts {@code a*b+c}). Accuracy: a few ulps, which is
 * all random-number generation needs; bit-reproducibility across backends is the point.
 */
final class PortableMath {
    private PortableMath() {}

    // ln 2 split so that e * LN2_HI is exact for |e| < 2^11 (float) / 2^20 (double)
    private static final float LN2_HI_F = 0.693145751953125f, LN2_LO_F = 1.428606765330187e-06f;
    private static final double LN2_HI = 0.6931471803691238, LN2_LO = 1.9082149292705877e-10;
    private static final float SQRT_HALF_F = 0.70710677f;
    private static final double SQRT_HALF = 0.7071067811865476;

    /**
     * Natural log of a positive normal float: x = m·2^e with m in [sqrt(1/2), sqrt(2)), s = (m−1)/(m+1),
     * ln m = 2·(s + s³/3 + ... + s¹¹/11) by Horner in z = s², then ln x = (e·LN2_HI + ln m) + e·LN2_LO.
     */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(x);
        int e = ((bits >>> 23) & 0xFF) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);   // [1, 2)
        if (m > 1.4142135f) { m = m * 0.5f; e = e + 1; }
        float s = (m - 1f) / (m + 1f);
        float z = s * s;
        float p = 1f / 11f;
        p = p * z + 1f / 9f;
        p = p * z + 1f / 7f;
        p = p * z + 1f / 5f;
        p = p * z + 1f / 3f;
        p = p * z + 1f;
        float lnm = 2f * s * p;
        float ef = e;
        return (ef * LN2_HI_F + lnm) + ef * LN2_LO_F;
    }

    /** Double version of {@link #log(float)}: the same steps with the series through s²¹/21. */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) ((bits >>> 52) & 0x7FF) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > 1.4142135623730951) { m = m * 0.5; e = e + 1; }
        double s = (m - 1.0) / (m + 1.0);
        double z = s * s;
        double p = 1.0 / 21.0;
        for (int k = 19; k >= 1; k -= 2) p = p * z + 1.0 / k;
        double lnm = 2.0 * s * p;
        double ed = e;
        return (ed * LN2_HI + lnm) + ed * LN2_LO;
    }

    /**
     * cos(2π·t) for t in [0, 1): quadrant q = floor(4t), r = 4t − q (both exact), x = r·π/2 in [0, π/2), then the
     * Taylor series of cos x (through x¹⁴) or sin x (through x¹⁵) by Horner in x², signed by quadrant.
     */
    static float cosTurns(float t) {
        float t4 = t * 4f;
        int q = (int) t4;
        float x = (t4 - q) * 1.5707964f;
        float z = x * x;
        float v;
        if ((q & 1) == 0) {
            float c = -1f / 87178291200f;             // -1/14!
            c = c * z + 1f / 479001600f;
            c = c * z - 1f / 3628800f;
            c = c * z + 1f / 40320f;
            c = c * z - 1f / 720f;
            c = c * z + 1f / 24f;
            c = c * z - 0.5f;
            v = c * z + 1f;                           // cos x
        } else {
            float c = -1f / 1307674368000f;           // -1/15!
            c = c * z + 1f / 6227020800f;
            c = c * z - 1f / 39916800f;
            c = c * z + 1f / 362880f;
            c = c * z - 1f / 5040f;
            c = c * z + 1f / 120f;
            c = c * z - 1f / 6f;
            v = (c * z + 1f) * x;                     // sin x
        }
        return (q == 1 || q == 2) ? -v : v;           // q=0 cos, 1 −sin, 2 −cos, 3 sin
    }

    /** Double version of {@link #cosTurns(float)} with the series through x²⁴ / x²⁵. */
    static double cosTurns(double t) {
        double t4 = t * 4.0;
        int q = (int) t4;
        double x = (t4 - q) * 1.5707963267948966;
        double z = x * x;
        double v;
        if ((q & 1) == 0) {
            double c = 0;
            for (int n = 24; n >= 2; n -= 2) c = c * z + ((n / 2) % 2 == 0 ? 1.0 : -1.0) / factorial(n);
            v = c * z + 1.0;
        } else {
            double c = 0;
            for (int n = 25; n >= 3; n -= 2) c = c * z + (((n - 1) / 2) % 2 == 0 ? 1.0 : -1.0) / factorial(n);
            v = (c * z + 1.0) * x;
        }
        return (q == 1 || q == 2) ? -v : v;
    }

    /** n! as a double (exact up to 22!, correctly rounded beyond); a constant table in a GPU port. */
    static double factorial(int n) {
        double f = 1;
        for (int k = 2; k <= n; k++) f = f * k;
        return f;
    }
}
