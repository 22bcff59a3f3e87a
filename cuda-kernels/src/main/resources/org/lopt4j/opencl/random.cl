// random.cl: counter-based random tensors (Philox-4x32-10), bit-identical to the CPU backends; built for F32 and, where
// the device has cl_khr_fp64, F64. Twin of cuda-kernels/src/main/cuda/random.cu. Java twins:
// org.lopt4j.tensor.RandomKey.philox (the generator), org.lopt4j.tensor.Sampling.sample (k24, k53, normal,
// truncatedNormal) and org.lopt4j.tensor.PortableMath (log, cosTurns, erfinv). Launched by org.lopt4j.opencl.RandomFill.
//
// Element e (row-major over `dims`) uses the one Philox block at counter (e_lo, e_hi, 0, 0) under (key0, key1). Float
// math follows the Java twins operation for operation (PortableMath's porting rules): FP_CONTRACT is off (common.cl),
// so every + - * is one correctly rounded IEEE operation; / and sqrt are correctly rounded by the build option
// -cl-fp32-correctly-rounded-divide-sqrt (double ones always are); Horner loops run from the first coefficient and
// the constants are the twins' hex literals, so every bit matches. Integer outputs are refused by Java.

#define DIST_UNIFORM 0
#define DIST_NORMAL 1
#define DIST_TRUNCATED_NORMAL 2

// RandomKey.philox: Philox-4x32 with 10 rounds; returns (w0, w1, w2, w3).
inline uint4 philox(uint key0, uint key1, uint c0, uint c1, uint c2, uint c3) {
    const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    uint x0 = c0, x1 = c1, x2 = c2, x3 = c3, a = key0, b = key1;
    for (int round = 0; round < 10; ++round) {
        const uint hi0 = mul_hi(M0, x0), lo0 = M0 * x0;
        const uint hi1 = mul_hi(M1, x2), lo1 = M1 * x2;
        const uint n0 = hi1 ^ x1 ^ a, n1 = lo1, n2 = hi0 ^ x3 ^ b, n3 = lo0;
        x0 = n0; x1 = n1; x2 = n2; x3 = n3;
        a += W0;
        b += W1;
    }
    return (uint4)(x0, x1, x2, x3);
}

#if defined(LOPT4J_F32)

// PortableMath's float constants: ln 2 split, sqrt 2, pi/4; Sampling.ERF_SQRT2_F.
#define LN2_HI_F 0x1.62e4p-1f
#define LN2_LO_F 0x1.7f7d1cp-20f
#define SQRT2_F 0x1.6a09e6p0f
#define PI_4_F 0x1.921fb6p-1f
#define ERF_SQRT2_F 0x1.e8b43p-1f

__constant float LOG_F[4] = {0x1.c71c72p-3f, 0x1.24924ap-2f, 0x1.99999ap-2f, 0x1.555556p-1f};
__constant float COS_F[5] = {-0x1.27e4fcp-22f, 0x1.a01a02p-16f, -0x1.6c16c2p-10f, 0x1.555556p-5f, -0x1p-1f};
__constant float SIN_F[4] = {0x1.71de3ap-19f, -0x1.a01a02p-13f, 0x1.111112p-7f, -0x1.555556p-3f};
__constant float ERFINV_F[9] = {0x1.e2cb1p-26f, 0x1.70966cp-22f, -0x1.d8e6aep-19f, -0x1.26b582p-18f, 0x1.ca65b6p-13f,
                                -0x1.48a81p-10f, -0x1.11c9dep-8f, 0x1.f91ec6p-3f, 0x1.805c5ep0f};

// PortableMath.log(float).
inline float portable_log(float x) {
    const uint bits = as_uint(x);
    int e = (int)(bits >> 23) - 127;
    float m = as_float((bits & 0x007FFFFFu) | 0x3F800000u);
    if (m > SQRT2_F) {
        m = m * 0.5f;
        e = e + 1;
    }
    const float f = m - 1.0f;
    const float s = f / (2.0f + f);
    const float z = s * s;
    float r = LOG_F[0];
    for (int k = 1; k < 4; ++k) r = r * z + LOG_F[k];
    const float big_r = z * r;
    const float hfsq = 0.5f * f * f;
    const float ef = (float)e;
    return ef * LN2_HI_F - ((hfsq - (s * (hfsq + big_r) + ef * LN2_LO_F)) - f);
}

// PortableMath.cosTurns(float).
inline float portable_cos_turns(float t) {
    const float t8 = t * 8.0f;
    const int o = (int)t8;
    float f = t8 - (float)o;
    if ((o & 1) != 0) f = 1.0f - f;
    const float x = f * PI_4_F;
    const float z = x * x;
    float v;
    if (((o + 1) & 2) != 0) {
        float p = SIN_F[0];
        for (int k = 1; k < 4; ++k) p = p * z + SIN_F[k];
        v = x + x * (z * p);
    } else {
        float p = COS_F[0];
        for (int k = 1; k < 5; ++k) p = p * z + COS_F[k];
        v = 1.0f + z * p;
    }
    return ((o + 2) & 4) != 0 ? -v : v;
}

// PortableMath.erfinv(float).
inline float portable_erfinv(float x) {
    float w = -portable_log((1.0f - x) * (1.0f + x));
    w = w - 2.5f;
    float p = ERFINV_F[0];
    for (int k = 1; k < 9; ++k) p = p * w + ERFINV_F[k];
    return p * x;
}

// Sampling.sample for F32.
inline real_t sample(uint key0, uint key1, ulong e, int dist) {
    const uint4 w = philox(key0, key1, (uint)e, (uint)(e >> 32), 0u, 0u);
    const uint k0 = w.x >> 8, k1 = w.y >> 8;                              // Sampling.k24
    if (dist == DIST_UNIFORM) return (float)k0 * 0x1p-24f;
    if (dist == DIST_NORMAL) {                                             // Sampling.normal(float, float)
        const float u = (float)(k0 + 1u) * 0x1p-24f;
        const float t = (float)k1 * 0x1p-24f;
        const float a = -2.0f * portable_log(u);
        return sqrt(a) * portable_cos_turns(t);
    }
    const float c = (float)(2 * (int)k0 + 1 - (1 << 24)) * 0x1p-24f;     // Sampling.truncatedNormal(int)
    const float v = c * ERF_SQRT2_F;
    const float z = portable_erfinv(v) * SQRT2_F;
    const float lo = z > -2.0f ? z : -2.0f;
    return lo < 2.0f ? lo : 2.0f;
}

#elif defined(LOPT4J_F64)

// PortableMath's double constants and Sampling.ERF_SQRT2.
#define LN2_HI 0x1.62e42feep-1
#define LN2_LO 0x1.a39ef35793c76p-33
#define SQRT2 0x1.6a09e667f3bcdp0
#define PI_4 0x1.921fb54442d18p-1
#define ERF_SQRT2 0x1.e8b4307d3627ap-1

__constant double LOG_D[10] = {0x1.8618618618618p-4, 0x1.af286bca1af28p-4, 0x1.e1e1e1e1e1e1ep-4,
    0x1.1111111111111p-3, 0x1.3b13b13b13b14p-3, 0x1.745d1745d1746p-3, 0x1.c71c71c71c71cp-3, 0x1.2492492492492p-2,
    0x1.999999999999ap-2, 0x1.5555555555555p-1};
__constant double COS_D[8] = {0x1.ae7f3e733b81fp-45, -0x1.93974a8c07c9dp-37, 0x1.1eed8eff8d898p-29,
    -0x1.27e4fb7789f5cp-22, 0x1.a01a01a01a01ap-16, -0x1.6c16c16c16c17p-10, 0x1.5555555555555p-5, -0x1p-1};
__constant double SIN_D[8] = {0x1.952c77030ad4ap-49, -0x1.ae7f3e733b81fp-41, 0x1.6124613a86d09p-33,
    -0x1.ae64567f544e4p-26, 0x1.71de3a556c734p-19, -0x1.a01a01a01a01ap-13, 0x1.1111111111111p-7,
    -0x1.5555555555555p-3};
__constant double ERFINV_D[23] = {-0x1.135d2e746e627p-68, -0x1.8ddf93324d327p-63, 0x1.7b83eef0b7c9fp-60,
    0x1.9ba72cd589b91p-57, -0x1.33689090a6b96p-53, 0x1.82e11898132e0p-56, 0x1.de4acfd9e26bap-48,
    -0x1.6d33eed66c487p-45, -0x1.6f2167040d8e2p-44, 0x1.72a22c2d77e20p-39, -0x1.c8859c4e5c0afp-37,
    -0x1.dc583d118a561p-35, 0x1.20f47ccf46b3cp-30, -0x1.1a9e38dc84d60p-28, -0x1.f36cd6d3d46a9p-26,
    0x1.c6b4f5d03b787p-22, -0x1.6e8a5434ae8a2p-20, -0x1.d1d1f7b8736f6p-17, 0x1.879c2a212f024p-13,
    -0x1.845769484fca8p-11, -0x1.8b6c33114f909p-8, 0x1.ebd80d9b13e28p-3, 0x1.a755e7c99ae86p0};

// PortableMath.log(double).
inline double portable_log(double x) {
    const ulong bits = as_ulong(x);
    int e = (int)(bits >> 52) - 1023;
    double m = as_double((bits & 0x000FFFFFFFFFFFFFul) | 0x3FF0000000000000ul);
    if (m > SQRT2) {
        m = m * 0.5;
        e = e + 1;
    }
    const double f = m - 1.0;
    const double s = f / (2.0 + f);
    const double z = s * s;
    double r = LOG_D[0];
    for (int k = 1; k < 10; ++k) r = r * z + LOG_D[k];
    const double big_r = z * r;
    const double hfsq = 0.5 * f * f;
    const double ed = (double)e;
    return ed * LN2_HI - ((hfsq - (s * (hfsq + big_r) + ed * LN2_LO)) - f);
}

// PortableMath.cosTurns(double).
inline double portable_cos_turns(double t) {
    const double t8 = t * 8.0;
    const int o = (int)t8;
    double f = t8 - (double)o;
    if ((o & 1) != 0) f = 1.0 - f;
    const double x = f * PI_4;
    const double z = x * x;
    double v;
    if (((o + 1) & 2) != 0) {
        double p = SIN_D[0];
        for (int k = 1; k < 8; ++k) p = p * z + SIN_D[k];
        v = x + x * (z * p);
    } else {
        double p = COS_D[0];
        for (int k = 1; k < 8; ++k) p = p * z + COS_D[k];
        v = 1.0 + z * p;
    }
    return ((o + 2) & 4) != 0 ? -v : v;
}

// PortableMath.erfinv(double).
inline double portable_erfinv(double x) {
    double w = -portable_log((1.0 - x) * (1.0 + x));
    w = w - 3.125;
    double p = ERFINV_D[0];
    for (int k = 1; k < 23; ++k) p = p * w + ERFINV_D[k];
    return p * x;
}

// Sampling.k53: 27 bits of a above 26 bits of b.
inline ulong k53(uint a, uint b) { return ((ulong)(a >> 5) << 26) | (ulong)(b >> 6); }

// Sampling.sample for F64.
inline real_t sample(uint key0, uint key1, ulong e, int dist) {
    const uint4 w = philox(key0, key1, (uint)e, (uint)(e >> 32), 0u, 0u);
    if (dist == DIST_UNIFORM) return (double)k53(w.x, w.z) * 0x1p-53;
    if (dist == DIST_NORMAL) {                                             // Sampling.normal(double, double)
        const double u = (double)(k53(w.x, w.z) + 1ul) * 0x1p-53;
        const double t = (double)k53(w.y, w.w) * 0x1p-53;
        const double a = -2.0 * portable_log(u);
        return sqrt(a) * portable_cos_turns(t);
    }
    const long k = (long)k53(w.x, w.z);                                    // Sampling.truncatedNormal(long)
    const double c = (double)(2 * k + 1 - (1L << 53)) * 0x1p-53;
    const double v = c * ERF_SQRT2;
    const double z = portable_erfinv(v) * SQRT2;
    const double lo = z > -2.0 ? z : -2.0;
    return lo < 2.0 ? lo : 2.0;
}

#endif

// out[e] = sample(key, dist, e) for every element e of the view.
__kernel void random_fill(__global real_t* out, Dims dims, View out_v, long n, uint key0, uint key1, int dist) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = sample(key0, key1, (ulong)e, dist);
    }
}
