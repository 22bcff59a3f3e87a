// random.cu: counter-based random tensors (Philox-4x32-10), bit-identical to the CPU backends.
// Java twins: org.lopt4j.tensor.RandomKey.philox (the generator), org.lopt4j.tensor.Sampling.sample for F32
// (with Sampling.k24, normal(float, float), truncatedNormal(int)) and org.lopt4j.tensor.PortableMath.log(float),
// cosTurns(float), erfinv(float). Launched by org.lopt4j.cuda.RandomFill.
//
// Element e (row-major over `dims`) uses the one Philox block at counter (e_lo, e_hi, 0, 0) under (key0, key1).
// Float math follows the Java twins operation for operation (PortableMath's porting rules): correctly rounded
// intrinsics (__fadd_rn, __fsub_rn, __fmul_rn, __fdiv_rn, __fsqrt_rn), which the compiler never contracts into
// FMAs, Horner loops from the first coefficient, and the twins' hex constants, so every bit matches. F64 draws are
// CPU-only and integer outputs are refused, as in Sampling.
//
// The math below is __host__ __device__ so check-random-host.sh can compile it for the CPU and compare it with the
// Java twins (on the host, plain float operators with -ffp-contract=off are the same correctly rounded IEEE ops).
#include "common.cuh"

enum DistCode { DIST_UNIFORM = 0, DIST_NORMAL = 1, DIST_TRUNCATED_NORMAL = 2 };

#ifdef __CUDA_ARCH__
#define RN_ADD(a, b) __fadd_rn(a, b)
#define RN_SUB(a, b) __fsub_rn(a, b)
#define RN_MUL(a, b) __fmul_rn(a, b)
#define RN_DIV(a, b) __fdiv_rn(a, b)
#define RN_SQRT(a) __fsqrt_rn(a)
#define MULHI(a, b) __umulhi(a, b)
#define FLOAT_BITS(f) __float_as_uint(f)
#define BITS_FLOAT(u) __uint_as_float(u)
#else
#include <cmath>
#include <cstring>
#define RN_ADD(a, b) ((a) + (b))
#define RN_SUB(a, b) ((a) - (b))
#define RN_MUL(a, b) ((a) * (b))
#define RN_DIV(a, b) ((a) / (b))
#define RN_SQRT(a) std::sqrt(a)
#define MULHI(a, b) ((unsigned int)(((unsigned long long)(a) * (b)) >> 32))
static inline unsigned int FLOAT_BITS(float f) { unsigned int u; std::memcpy(&u, &f, 4); return u; }
static inline float BITS_FLOAT(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
#endif

struct Philox4 { unsigned int w0, w1, w2, w3; };

// RandomKey.philox: Philox-4x32 with 10 rounds.
__host__ __device__ __forceinline__ Philox4 philox(unsigned int key0, unsigned int key1, unsigned int c0,
                                                   unsigned int c1, unsigned int c2, unsigned int c3) {
    const unsigned int M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    unsigned int x0 = c0, x1 = c1, x2 = c2, x3 = c3, a = key0, b = key1;
    for (int round = 0; round < 10; ++round) {
        const unsigned int hi0 = MULHI(M0, x0), lo0 = M0 * x0;
        const unsigned int hi1 = MULHI(M1, x2), lo1 = M1 * x2;
        const unsigned int n0 = hi1 ^ x1 ^ a, n1 = lo1, n2 = hi0 ^ x3 ^ b, n3 = lo0;
        x0 = n0; x1 = n1; x2 = n2; x3 = n3;
        a += W0;
        b += W1;
    }
    Philox4 r = {x0, x1, x2, x3};
    return r;
}

// PortableMath: ln 2 split (LN2_HI_F has 15 significant bits), sqrt 2 and pi/4 rounded to float.
#define LN2_HI_F 0x1.62e4p-1f
#define LN2_LO_F 0x1.7f7d1cp-20f
#define SQRT2_F 0x1.6a09e6p0f
#define PI_4_F 0x1.921fb6p-1f
// Sampling.ERF_SQRT2_F: erf(sqrt 2) rounded to float.
#define ERF_SQRT2_F 0x1.e8b43p-1f

// PortableMath.LOG_F, COS_F, SIN_F, ERFINV_F: Horner coefficients, first entry first.
__host__ __device__ __forceinline__ float log_coef(int k) {
    const float c[4] = {0x1.c71c72p-3f, 0x1.24924ap-2f, 0x1.99999ap-2f, 0x1.555556p-1f};
    return c[k];
}
__host__ __device__ __forceinline__ float cos_coef(int k) {
    const float c[5] = {-0x1.27e4fcp-22f, 0x1.a01a02p-16f, -0x1.6c16c2p-10f, 0x1.555556p-5f, -0x1p-1f};
    return c[k];
}
__host__ __device__ __forceinline__ float sin_coef(int k) {
    const float c[4] = {0x1.71de3ap-19f, -0x1.a01a02p-13f, 0x1.111112p-7f, -0x1.555556p-3f};
    return c[k];
}
__host__ __device__ __forceinline__ float erfinv_coef(int k) {
    const float c[9] = {0x1.e2cb1p-26f, 0x1.70966cp-22f, -0x1.d8e6aep-19f, -0x1.26b582p-18f, 0x1.ca65b6p-13f,
                        -0x1.48a81p-10f, -0x1.11c9dep-8f, 0x1.f91ec6p-3f, 0x1.805c5ep0f};
    return c[k];
}

// PortableMath.log(float): natural log of a positive normal float (fdlibm's scheme).
__host__ __device__ __forceinline__ float portable_log(float x) {
    const unsigned int bits = FLOAT_BITS(x);
    int e = (int)(bits >> 23) - 127;
    float m = BITS_FLOAT((bits & 0x007FFFFFu) | 0x3F800000u);   // [1, 2)
    if (m > SQRT2_F) {
        m = RN_MUL(m, 0.5f);
        e = e + 1;
    }
    const float f = RN_SUB(m, 1.0f);
    const float s = RN_DIV(f, RN_ADD(2.0f, f));
    const float z = RN_MUL(s, s);
    float r = log_coef(0);
#pragma unroll
    for (int k = 1; k < 4; ++k) r = RN_ADD(RN_MUL(r, z), log_coef(k));
    const float big_r = RN_MUL(z, r);
    const float hfsq = RN_MUL(RN_MUL(0.5f, f), f);
    const float ef = (float)e;                                                         // exact
    const float inner = RN_ADD(RN_MUL(s, RN_ADD(hfsq, big_r)), RN_MUL(ef, LN2_LO_F));  // s*(hfsq+R) + ef*LN2_LO
    return RN_SUB(RN_MUL(ef, LN2_HI_F), RN_SUB(RN_SUB(hfsq, inner), f));
}

// PortableMath.cosTurns(float): cos(2*pi*t) for t in [0, 1) by octants.
__host__ __device__ __forceinline__ float portable_cos_turns(float t) {
    const float t8 = RN_MUL(t, 8.0f);                 // exact
    const int o = (int)t8;
    float f = RN_SUB(t8, (float)o);                   // exact
    if ((o & 1) != 0) f = RN_SUB(1.0f, f);            // exact
    const float x = RN_MUL(f, PI_4_F);
    const float z = RN_MUL(x, x);
    float v;
    if (((o + 1) & 2) != 0) {
        float p = sin_coef(0);
#pragma unroll
        for (int k = 1; k < 4; ++k) p = RN_ADD(RN_MUL(p, z), sin_coef(k));
        v = RN_ADD(x, RN_MUL(x, RN_MUL(z, p)));       // sin x
    } else {
        float p = cos_coef(0);
#pragma unroll
        for (int k = 1; k < 5; ++k) p = RN_ADD(RN_MUL(p, z), cos_coef(k));
        v = RN_ADD(1.0f, RN_MUL(z, p));               // cos x
    }
    return ((o + 2) & 4) != 0 ? -v : v;
}

// PortableMath.erfinv(float): Giles' central branch, |x| <= 0.99.
__host__ __device__ __forceinline__ float portable_erfinv(float x) {
    float w = -portable_log(RN_MUL(RN_SUB(1.0f, x), RN_ADD(1.0f, x)));
    w = RN_SUB(w, 2.5f);
    float p = erfinv_coef(0);
#pragma unroll
    for (int k = 1; k < 9; ++k) p = RN_ADD(RN_MUL(p, w), erfinv_coef(k));
    return RN_MUL(p, x);
}

// Sampling.sample for F32: element e of a tensor drawn from `dist`.
__host__ __device__ __forceinline__ float sample_f32(unsigned int key0, unsigned int key1, unsigned long long e,
                                                    int dist) {
    const Philox4 w = philox(key0, key1, (unsigned int)e, (unsigned int)(e >> 32), 0u, 0u);
    const unsigned int k0 = w.w0 >> 8, k1 = w.w1 >> 8;   // Sampling.k24
    if (dist == DIST_UNIFORM) return RN_MUL((float)k0, 0x1p-24f);
    if (dist == DIST_NORMAL) {                          // Sampling.normal(float, float)
        const float u = RN_MUL((float)(k0 + 1u), 0x1p-24f);   // (0, 1]
        const float t = RN_MUL((float)k1, 0x1p-24f);          // [0, 1)
        const float a = RN_MUL(-2.0f, portable_log(u));
        return RN_MUL(RN_SQRT(a), portable_cos_turns(t));
    }
    // DIST_TRUNCATED_NORMAL, Sampling.truncatedNormal(int): inversion of the normal law on [-2, 2]
    const float c = RN_MUL((float)(2 * (int)k0 + 1 - (1 << 24)), 0x1p-24f);   // exact integer, exact scaling
    const float v = RN_MUL(c, ERF_SQRT2_F);
    const float z = RN_MUL(portable_erfinv(v), SQRT2_F);
    const float lo = z > -2.0f ? z : -2.0f;             // Math.max(-2f, z); z is never NaN
    return lo < 2.0f ? lo : 2.0f;                       // Math.min(2f, ...)
}

// out[e] = sample(key, dist, e) for every element e of the view (F32).
extern "C" __global__ void random_fill(float* out, Dims dims, View out_v, long long n, unsigned int key0,
                                       unsigned int key1, int dist) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        out[offset_of(out_v, idx)] = sample_f32(key0, key1, (unsigned long long)e, dist);
    }
}
