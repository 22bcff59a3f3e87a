package org.lopt4j.tensor;

/**
 * log, cos and erfinv built only from correctly rounded IEEE {@code + - * /}, comparisons and bit moves, in a fixed
 * operation order, so that a CUDA or OpenCL port computes the very same bits as Java.
 *
 * <p>Porting rules. Every line {@code a = b op c} below is one IEEE operation rounded to nearest-even in the
 * variable's precision (float functions use float only, double functions double only). Java never contracts
 * {@code a*b+c} into a fused multiply-add; a port must not either: in CUDA write {@code __fmul_rn}/{@code __fadd_rn}
 * (or compile with {@code -fmad=false}), {@code __fdiv_rn}, {@code __fsqrt_rn} and their {@code __d...} twins; in
 * OpenCL disable contraction ({@code #pragma OPENCL FP_CONTRACT OFF}) and build with
 * {@code -cl-fp32-correctly-rounded-divide-sqrt}. Constants are written as hex literals, exact in Java, C99, CUDA
 * and OpenCL alike; polynomials are evaluated by Horner from the first array entry, {@code p = p * z + c[k]}.
 * {@code (int) f} truncates toward zero (C's conversion); it is only applied to non-negative values below 8.
 *
 * <p>Accuracy, measured by {@code SamplingTest} over dense grids: float log within 0.86 ulp of exact, double log
 * within 1 ulp of {@code Math.log}; cos(2πt) within 0.82 (float) and 1.0 (double) ulp of 1, absolute; erfinv
 * relative error 2.7e-7 (float) and 3.1e-15 (double, against Newton on a series erf) on [−0.96, 0.96].
 * Bit-reproducibility, not the last ulp, is the point.
 */
final class PortableMath {
    private PortableMath() {}

    /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 15 significant bits, so {@code e * LN2_HI} is exact for |e| &lt;= 511. */
    static final float LN2_HI_F = 0x1.62e4p-1f, LN2_LO_F = 0x1.7f7d1cp-20f;
    /** ln 2 = LN2_HI + LN2_LO (fdlibm's split); LN2_HI has 32 significant bits, {@code e * LN2_HI} is exact. */
    static final double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33;
    /** sqrt 2 rounded to float and to double: log halves mantissas above it; truncated normals scale by it. */
    static final float SQRT2_F = 0x1.6a09e6p0f;
    static final double SQRT2 = 0x1.6a09e667f3bcdp0;
    /** pi/4 rounded to float and to double. */
    static final float PI_4_F = 0x1.921fb6p-1f;
    static final double PI_4 = 0x1.921fb54442d18p-1;

    /** 2/9, 2/7, 2/5, 2/3 rounded to float: R = z·(2/3 + 2z/5 + ...), so that ln(1 + f) = 2s + s·R. */
    private static final float[] LOG_F = {0x1.c71c72p-3f, 0x1.24924ap-2f, 0x1.99999ap-2f, 0x1.555556p-1f};
    /** 2/21, 2/19, ..., 2/5, 2/3 rounded to double. */
    private static final double[] LOG_D = {0x1.8618618618618p-4, 0x1.af286bca1af28p-4, 0x1.e1e1e1e1e1e1ep-4,
        0x1.1111111111111p-3, 0x1.3b13b13b13b14p-3, 0x1.745d1745d1746p-3, 0x1.c71c71c71c71cp-3, 0x1.2492492492492p-2,
        0x1.999999999999ap-2, 0x1.5555555555555p-1};
    /** cos x = 1 + z·p(z), z = x², Taylor: p's coefficients −1/10!, 1/8!, −1/6!, 1/4!, −1/2! rounded to float. */
    private static final float[] COS_F = {-0x1.27e4fcp-22f, 0x1.a01a02p-16f, -0x1.6c16c2p-10f, 0x1.555556p-5f,
        -0x1p-1f};
    /** sin x = x + x·(z·p(z)), Taylor: p's coefficients 1/9!, −1/7!, 1/5!, −1/3! rounded to float. */
    private static final float[] SIN_F = {0x1.71de3ap-19f, -0x1.a01a02p-13f, 0x1.111112p-7f, -0x1.555556p-3f};
    /** 1/16!, −1/14!, ..., 1/4!, −1/2! rounded to double. */
    private static final double[] COS_D = {0x1.ae7f3e733b81fp-45, -0x1.93974a8c07c9dp-37, 0x1.1eed8eff8d898p-29,
        -0x1.27e4fb7789f5cp-22, 0x1.a01a01a01a01ap-16, -0x1.6c16c16c16c17p-10, 0x1.5555555555555p-5, -0x1p-1};
    /** 1/17!, −1/15!, ..., 1/5!, −1/3! rounded to double. */
    private static final double[] SIN_D = {0x1.952c77030ad4ap-49, -0x1.ae7f3e733b81fp-41, 0x1.6124613a86d09p-33,
        -0x1.ae64567f544e4p-26, 0x1.71de3a556c734p-19, -0x1.a01a01a01a01ap-13, 0x1.1111111111111p-7,
        -0x1.5555555555555p-3};
    /** Giles (2010), single precision, central region: erfinv x = x·p(w − 2.5), w = −log((1−x)(1+x)) &lt; 5. */
    private static final float[] ERFINV_F = {0x1.e2cb1p-26f, 0x1.70966cp-22f, -0x1.d8e6aep-19f, -0x1.26b582p-18f,
        0x1.ca65b6p-13f, -0x1.48a81p-10f, -0x1.11c9dep-8f, 0x1.f91ec6p-3f, 0x1.805c5ep0f};
    /** Giles (2010), double precision, region w &lt; 6.25: erfinv x = x·p(w − 3.125); his decimals rounded. */
    private static final double[] ERFINV_D = {-0x1.135d2e746e627p-68, -0x1.8ddf93324d327p-63, 0x1.7b83eef0b7c9fp-60,
        0x1.9ba72cd589b91p-57, -0x1.33689090a6b96p-53, 0x1.82e11898132e0p-56, 0x1.de4acfd9e26bap-48,
        -0x1.6d33eed66c487p-45, -0x1.6f2167040d8e2p-44, 0x1.72a22c2d77e20p-39, -0x1.c8859c4e5c0afp-37,
        -0x1.dc583d118a561p-35, 0x1.20f47ccf46b3cp-30, -0x1.1a9e38dc84d60p-28, -0x1.f36cd6d3d46a9p-26,
        0x1.c6b4f5d03b787p-22, -0x1.6e8a5434ae8a2p-20, -0x1.d1d1f7b8736f6p-17, 0x1.879c2a212f024p-13,
        -0x1.845769484fca8p-11, -0x1.8b6c33114f909p-8, 0x1.ebd80d9b13e28p-3, 0x1.a755e7c99ae86p0};

    /**
     * Natural log of a positive normal float, fdlibm's scheme with Taylor coefficients. Steps:
     * {@code e = (bits >>> 23) - 127}; {@code m = intBitsToFloat((bits & 0x7FFFFF) | 0x3F800000)} in [1, 2); if
     * {@code m > SQRT2_F} then {@code m = m * 0.5f; e = e + 1}; {@code f = m - 1} (exact); {@code s = f / (2 + f)};
     * {@code z = s * s}; {@code r} = Horner of {@link #LOG_F} in z; {@code R = z * r};
     * {@code hfsq = (0.5f * f) * f}; {@code ef = (float) e}; result
     * {@code ef * LN2_HI_F - ((hfsq - (s * (hfsq + R) + ef * LN2_LO_F)) - f)}. This is ln(1 + f) = 2·atanh s =
     * f − hfsq + s·(hfsq + R) with the exact f carrying the leading bits.
     */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(x);
        int e = (bits >>> 23) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > SQRT2_F) {
            m = m * 0.5f;
            e = e + 1;
        }
        float f = m - 1f;
        float s = f / (2f + f);
        float z = s * s;
        float r = LOG_F[0];
        for (int k = 1; k < LOG_F.length; k++) r = r * z + LOG_F[k];
        float bigR = z * r;
        float hfsq = 0.5f * f * f;
        float ef = e;
        return ef * LN2_HI_F - ((hfsq - (s * (hfsq + bigR) + ef * LN2_LO_F)) - f);
    }

    /** Natural log of a positive normal double: {@link #log(float)} step for step with 52/1023 and {@link #LOG_D}. */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) (bits >>> 52) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > SQRT2) {
            m = m * 0.5;
            e = e + 1;
        }
        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double r = LOG_D[0];
        for (int k = 1; k < LOG_D.length; k++) r = r * z + LOG_D[k];
        double bigR = z * r;
        double hfsq = 0.5 * f * f;
        double ed = e;
        return ed * LN2_HI - ((hfsq - (s * (hfsq + bigR) + ed * LN2_LO)) - f);
    }

    /**
     * cos(2π·t) for t in [0, 1). Octant reduction, all exact: {@code t8 = t * 8}; {@code o = (int) t8} in 0..7;
     * {@code f = t8 - o}; if o is odd {@code f = 1 - f}. Then {@code x = f * PI_4_F} in [0, π/4], {@code z = x * x}.
     * If {@code ((o + 1) & 2) != 0} (o = 1, 2, 5, 6): {@code p} = Horner of {@link #SIN_F} in z,
     * {@code v = x + x * (z * p)} (sin x); else {@code p} = Horner of {@link #COS_F}, {@code v = 1 + z * p} (cos x).
     * Result {@code -v} if {@code ((o + 2) & 4) != 0} (o = 2..5), else {@code v}.
     */
    static float cosTurns(float t) {
        float t8 = t * 8f;
        int o = (int) t8;
        float f = t8 - o;
        if ((o & 1) != 0) f = 1f - f;
        float x = f * PI_4_F;
        float z = x * x;
        float v;
        if (((o + 1) & 2) != 0) {
            float p = SIN_F[0];
            for (int k = 1; k < SIN_F.length; k++) p = p * z + SIN_F[k];
            v = x + x * (z * p);
        } else {
            float p = COS_F[0];
            for (int k = 1; k < COS_F.length; k++) p = p * z + COS_F[k];
            v = 1f + z * p;
        }
        return ((o + 2) & 4) != 0 ? -v : v;
    }

    /** cos(2π·t) for t in [0, 1): {@link #cosTurns(float)} step for step with PI_4, {@link #SIN_D}, {@link #COS_D}. */
    static double cosTurns(double t) {
        double t8 = t * 8.0;
        int o = (int) t8;
        double f = t8 - o;
        if ((o & 1) != 0) f = 1.0 - f;
        double x = f * PI_4;
        double z = x * x;
        double v;
        if (((o + 1) & 2) != 0) {
            double p = SIN_D[0];
            for (int k = 1; k < SIN_D.length; k++) p = p * z + SIN_D[k];
            v = x + x * (z * p);
        } else {
            double p = COS_D[0];
            for (int k = 1; k < COS_D.length; k++) p = p * z + COS_D[k];
            v = 1.0 + z * p;
        }
        return ((o + 2) & 4) != 0 ? -v : v;
    }

    /**
     * Inverse error function for |x| &lt;= 0.99 (Giles' central branch, the only one that domain reaches):
     * {@code w = -log((1 - x) * (1 + x))}; {@code w = w - 2.5f}; {@code p} = Horner of {@link #ERFINV_F} in w;
     * result {@code p * x}.
     */
    static float erfinv(float x) {
        float w = -log((1f - x) * (1f + x));
        w = w - 2.5f;
        float p = ERFINV_F[0];
        for (int k = 1; k < ERFINV_F.length; k++) p = p * w + ERFINV_F[k];
        return p * x;
    }

    /**
     * Inverse error function for |x| &lt;= 0.998 (Giles' first double branch, w &lt; 6.25):
     * {@code w = -log((1 - x) * (1 + x))}; {@code w = w - 3.125}; {@code p} = Horner of {@link #ERFINV_D};
     * result {@code p * x}.
     */
    static double erfinv(double x) {
        double w = -log((1.0 - x) * (1.0 + x));
        w = w - 3.125;
        double p = ERFINV_D[0];
        for (int k = 1; k < ERFINV_D.length; k++) p = p * w + ERFINV_D[k];
        return p * x;
    }
}
