// common.cuh: helpers shared by every lopt4j kernel (no entry points here).
// Java side: org.lopt4j.cuda.Dims and org.lopt4j.cuda.View mirror the two structs below field for field
// (KernelTwinsTest checks names, order and types); org.lopt4j.cuda.KernelConstants mirrors the #defines and enums
// that Java must agree on.
#pragma once

#define CEIL_DIV(a, b) (((a) + (b) - 1) / (b))

// Largest rank of a strided view a kernel accepts (after Java has merged contiguous axes).
#define LOPT4J_MAX_RANK 8

// Element types a kernel can be told about at run time.
enum DTypeCode { DTYPE_F32 = 0, DTYPE_I32 = 1 };

// Sizes of the iteration space, row-major: d[rank - 1] varies fastest; entries at and beyond rank are ignored.
struct Dims {
    int rank;
    int d[LOPT4J_MAX_RANK];
};

// Where the elements of one operand live: element (i0, ..., i_{rank-1}) is at offset + sum_k i_k * s[k]
// (in elements, 64-bit). Strides beyond the rank are zero; a broadcast axis has stride zero.
struct View {
    long long offset;
    long long s[LOPT4J_MAX_RANK];
};

// Grid-stride loop over [0, n) with a 64-bit index.
#define GRID_STRIDE_LOOP(i, n)                                                       \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);    \
         i += (long long)blockDim.x * gridDim.x)

// Multi-index of the row-major element `linear` of `dims`; entries beyond the rank are set to zero.
// 32-bit division when the number fits (it always does for tensors of fewer than 2^32 elements).
__device__ __forceinline__ void unravel(const Dims& dims, long long linear, long long idx[LOPT4J_MAX_RANK]) {
    if ((unsigned long long)linear <= 0xFFFFFFFFull) {
        unsigned int l = (unsigned int)linear;
#pragma unroll
        for (int k = LOPT4J_MAX_RANK - 1; k >= 0; --k) {
            if (k < dims.rank) {
                unsigned int d = (unsigned int)dims.d[k];
                idx[k] = l % d;
                l /= d;
            } else {
                idx[k] = 0;
            }
        }
    } else {
        unsigned long long l = (unsigned long long)linear;
#pragma unroll
        for (int k = LOPT4J_MAX_RANK - 1; k >= 0; --k) {
            if (k < dims.rank) {
                unsigned long long d = (unsigned long long)dims.d[k];
                idx[k] = (long long)(l % d);
                l /= d;
            } else {
                idx[k] = 0;
            }
        }
    }
}

// Element offset of multi-index `idx` in view `v`.
__device__ __forceinline__ long long offset_of(const View& v, const long long idx[LOPT4J_MAX_RANK]) {
    long long off = v.offset;
#pragma unroll
    for (int k = 0; k < LOPT4J_MAX_RANK; ++k) off += idx[k] * v.s[k];
    return off;
}

// Java's Math.max / Math.min on floats: NaN propagates, +0 is larger than -0.
__device__ __forceinline__ float java_max(float x, float y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

__device__ __forceinline__ float java_min(float x, float y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}

__device__ __forceinline__ double java_max(double x, double y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

__device__ __forceinline__ double java_min(double x, double y) {
    if (x != x) return x;
    if (y != y) return y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}

// Java's (int) cast of a double: round toward zero, saturate, NaN -> 0 (PTX cvt.rzi.s32.f64 does exactly this).
__device__ __forceinline__ int java_double_to_int(double v) { return __double2int_rz(v); }

// Java's (int) cast of a long that is known to hold a sum of ints: saturate to the int range.
__device__ __forceinline__ int saturate_int(long long v) {
    return v > 2147483647LL ? 2147483647 : (v < -2147483648LL ? (int)(-2147483647 - 1) : (int)v);
}

// Sum of `v` over the 32 lanes of a warp (all lanes must take part).
template <typename T, typename Combine>
__device__ __forceinline__ T warp_reduce(T v, Combine combine) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = combine(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Combination of `v` over the block; the result is valid in thread 0. blockDim.x must be a multiple of 32 and at
// most 1024. Every thread of the block must call it (it synchronizes twice, so it may be called in a loop).
template <typename T, typename Combine>
__device__ __forceinline__ T block_reduce(T v, Combine combine, T identity) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_reduce(v, combine);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? partial[lane] : identity;
        v = warp_reduce(v, combine);
    }
    __syncthreads();
    return v;
}
