// random.cu: counter-based random tensors (Philox-4x32-10), bit-identical to the CPU backends.
// Java twins: org.lopt4j.tensor.RandomKey.philox (the generator), org.lopt4j.tensor.Sampling.sample / normal32 /
// uniform24 (F32 distributions) and org.lopt4j.tensor.PortableMath.log(float) / cosTurns(float). Launched by
// org.lopt4j.cuda.RandomFill.
//
// Element e (row-major over `dims`) takes draw j from the Philox block at counter (e_lo, e_hi, j, 0) under
// (key0, key1). Float math follows the Java twins operation for operation with correctly rounded intrinsics
// (__fadd_rn, __fsub_rn, __fmul_rn, __fdiv_rn, __fsqrt_rn), which the compiler never contracts into FMAs, and
// constants written as the exact float values Java computes (hex literals), so every bit matches.
// F64 draws are CPU-only. An I32 output stores Java's (int) cast of the F32 value, as ScalarBackend does.
//
// The math below is __host__ __device__ so check-random-host.sh can compile it for the CPU and compare it with the
// Java twins (on the host, plain float operators with -ffp-contract=off are the same correctly rounded IEEE ops).
#include "common.cuh"

enum DistCode { DIST_UNIFORM = 0, DIST_NORMAL = 1, DIST_TRUNCATED_NORMAL = 2 };

// Sampling.TRUNCATION_TRIES: candidates tried for a truncated normal before clamping.
#define RANDOM_TRUNCATION_TRIES 8

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

// PortableMath.log(float): natural log of a positive normal float.
__host__ __device__ __forceinline__ float portable_log(float x) {
    const unsigned int bits = FLOAT_BITS(x);
    int e = (int)((bits >> 23) & 0xFFu) - 127;
    float m = BITS_FLOAT((bits & 0x007FFFFFu) | 0x3F800000u);   // [1, 2)
    if (m > 0x1.6a09e6p0f) { m = RN_MUL(m, 0.5f); e = e + 1; }  // 1.4142135f
    const float s = RN_DIV(RN_SUB(m, 1.0f), RN_ADD(m, 1.0f));
    const float z = RN_MUL(s, s);
    float p = 0x1.745d18p-4f;                                     // 1f / 11f
    p = RN_ADD(RN_MUL(p, z), 0x1.c71c72p-4f);                     // 1f / 9f
    p = RN_ADD(RN_MUL(p, z), 0x1.24924ap-3f);                     // 1f / 7f
    p = RN_ADD(RN_MUL(p, z), 0x1.99999ap-3f);                     // 1f / 5f
    p = RN_ADD(RN_MUL(p, z), 0x1.555556p-2f);                     // 1f / 3f
    p = RN_ADD(RN_MUL(p, z), 1.0f);
    const float lnm = RN_MUL(RN_MUL(2.0f, s), p);
    const float ef = (float)e;                                    // exact
    return RN_ADD(RN_ADD(RN_MUL(ef, 0x1.62e4p-1f), lnm), RN_MUL(ef, 0x1.7f7d1cp-20f));   // LN2_HI_F, LN2_LO_F
}

// PortableMath.cosTurns(float): cos(2*pi*t) for t in [0, 1).
__host__ __device__ __forceinline__ float portable_cos_turns(float t) {
    const float t4 = RN_MUL(t, 4.0f);                             // exact
    const int q = (int)t4;
    const float x = RN_MUL(RN_SUB(t4, (float)q), 0x1.921fb6p0f);  // 1.5707964f
    const float z = RN_MUL(x, x);
    float v;
    if ((q & 1) == 0) {
        float c = -0x1.93974cp-37f;                               // -1f / 87178291200f
        c = RN_ADD(RN_MUL(c, z), 0x1.1eed8ep-29f);                // 1f / 479001600f
        c = RN_SUB(RN_MUL(c, z), 0x1.27e4fcp-22f);                // 1f / 3628800f
        c = RN_ADD(RN_MUL(c, z), 0x1.a01a02p-16f);                // 1f / 40320f
        c = RN_SUB(RN_MUL(c, z), 0x1.6c16c2p-10f);                // 1f / 720f
        c = RN_ADD(RN_MUL(c, z), 0x1.555556p-5f);                 // 1f / 24f
        c = RN_SUB(RN_MUL(c, z), 0.5f);
        v = RN_ADD(RN_MUL(c, z), 1.0f);                           // cos x
    } else {
        float c = -0x1.ae7f3ep-41f;                               // -1f / 1307674368000f
        c = RN_ADD(RN_MUL(c, z), 0x1.612462p-33f);                // 1f / 6227020800f
        c = RN_SUB(RN_MUL(c, z), 0x1.ae6456p-26f);                // 1f / 39916800f
        c = RN_ADD(RN_MUL(c, z), 0x1.71de3ap-19f);                // 1f / 362880f
        c = RN_SUB(RN_MUL(c, z), 0x1.a01a02p-13f);                // 1f / 5040f
        c = RN_ADD(RN_MUL(c, z), 0x1.111112p-7f);                 // 1f / 120f
        c = RN_SUB(RN_MUL(c, z), 0x1.555556p-3f);                 // 1f / 6f
        v = RN_MUL(RN_ADD(RN_MUL(c, z), 1.0f), x);                // sin x
    }
    return (q == 1 || q == 2) ? -v : v;
}

// Sampling.uniform24: a float in [0, 1) from the top 24 bits of a word.
__host__ __device__ __forceinline__ float uniform24(unsigned int word) {
    return RN_MUL((float)(word >> 8), 0x1.0p-24f);
}

// Sampling.normal32: Box-Muller (cosine branch) from draw `draw` of element `e`.
__host__ __device__ __forceinline__ float normal32(unsigned int key0, unsigned int key1, unsigned long long e,
                                                  unsigned int draw) {
    const Philox4 w = philox(key0, key1, (unsigned int)e, (unsigned int)(e >> 32), draw, 0u);
    const float u1 = RN_MUL((float)((w.w0 >> 8) + 1u), 0x1.0p-24f);   // (0, 1]
    const float u2 = RN_MUL((float)(w.w1 >> 8), 0x1.0p-24f);          // [0, 1)
    return RN_MUL(RN_SQRT(RN_MUL(-2.0f, portable_log(u1))), portable_cos_turns(u2));
}

// Sampling.sample for F32: element e of a tensor drawn from `dist`.
__host__ __device__ __forceinline__ float sample_f32(unsigned int key0, unsigned int key1, unsigned long long e,
                                                    int dist) {
    if (dist == DIST_UNIFORM) {
        return uniform24(philox(key0, key1, (unsigned int)e, (unsigned int)(e >> 32), 0u, 0u).w0);
    }
    if (dist == DIST_NORMAL) return normal32(key0, key1, e, 0u);
    float z = 0.0f;
    for (unsigned int j = 0; j < RANDOM_TRUNCATION_TRIES; ++j) {
        z = normal32(key0, key1, e, j);
        if (z >= -2.0f && z <= 2.0f) return z;
    }
    return z < -2.0f ? -2.0f : (z > 2.0f ? 2.0f : z);   // Math.max(-2, Math.min(2, z)); z is never NaN
}

// out[e] = sample(key, dist, e) for every element e of the view, as F32 or (per dtype) Java's (int) of it.
extern "C" __global__ void random_fill(void* out, Dims dims, View out_v, long long n, unsigned int key0,
                                       unsigned int key1, int dist, int dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const float v = sample_f32(key0, key1, (unsigned long long)e, dist);
        const long long o = offset_of(out_v, idx);
        if (dtype == DTYPE_F32) {
            ((float*)out)[o] = v;
        } else {
            ((int*)out)[o] = __float2int_rz(v);
        }
    }
}
