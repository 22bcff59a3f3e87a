// common.cl: helpers shared by every lopt4j OpenCL program; prepended to each program's source (no entry points).
// Twin of cuda-kernels/src/main/cuda/common.cuh. org.lopt4j.cuda.Dims and org.lopt4j.cuda.View are the Java images of
// the two structs below (same fields, same C layout); org.lopt4j.opencl.ClConstants mirrors the #defines Java must
// agree on. A program is built with -D LOPT4J_F32, -D LOPT4J_F64 or -D LOPT4J_I32 (its element type real_t, where it
// is generic over the dtype) and with -D LOPT4J_FP64 when the device has cl_khr_fp64.
#pragma OPENCL FP_CONTRACT OFF
#ifdef LOPT4J_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#define CEIL_DIV(a, b) (((a) + (b) - 1) / (b))

// Largest rank of a strided view a kernel accepts (after Java has merged contiguous axes).
#define LOPT4J_MAX_RANK 8

// Element types a kernel can be told about at run time.
#define DTYPE_F32 0
#define DTYPE_I32 1
#define DTYPE_F64 2

// Sizes of the iteration space, row-major: d[rank - 1] varies fastest; entries at and beyond rank are ignored.
typedef struct {
    int rank;
    int d[LOPT4J_MAX_RANK];
} Dims;

// Where the elements of one operand live: element (i0, ..., i_{rank-1}) is at offset + sum_k i_k * s[k]
// (in elements, 64-bit). Strides beyond the rank are zero; a broadcast axis has stride zero.
typedef struct {
    long offset;
    long s[LOPT4J_MAX_RANK];
} View;

#if defined(LOPT4J_F32)
typedef float real_t;
#elif defined(LOPT4J_F64)
typedef double real_t;
#elif defined(LOPT4J_I32)
typedef int real_t;
#endif

// The widest float type of the device: the I32 math that Java does in double.
#ifdef LOPT4J_FP64
typedef double wide_t;
#else
typedef float wide_t;
#endif

// Grid-stride loop over [0, n) with a 64-bit index.
#define GRID_STRIDE_LOOP(i, n) for (long i = (long)get_global_id(0); i < (n); i += (long)get_global_size(0))

// Multi-index of the row-major element `linear` of `dims`; entries beyond the rank are set to zero.
// 32-bit division when the number fits (it always does for tensors of fewer than 2^32 elements).
inline void unravel(const Dims* dims, long linear, long idx[LOPT4J_MAX_RANK]) {
    if ((ulong)linear <= 0xFFFFFFFFul) {
        uint l = (uint)linear;
        for (int k = LOPT4J_MAX_RANK - 1; k >= 0; --k) {
            if (k < dims->rank) {
                const uint d = (uint)dims->d[k];
                idx[k] = l % d;
                l /= d;
            } else {
                idx[k] = 0;
            }
        }
    } else {
        ulong l = (ulong)linear;
        for (int k = LOPT4J_MAX_RANK - 1; k >= 0; --k) {
            if (k < dims->rank) {
                const ulong d = (ulong)dims->d[k];
                idx[k] = (long)(l % d);
                l /= d;
            } else {
                idx[k] = 0;
            }
        }
    }
}

// Element offset of multi-index `idx` in view `v`.
inline long offset_of(const View* v, const long idx[LOPT4J_MAX_RANK]) {
    long off = v->offset;
    for (int k = 0; k < LOPT4J_MAX_RANK; ++k) off += idx[k] * v->s[k];
    return off;
}

// Java's Math.max / Math.min on floats: NaN propagates, +0 is larger than -0.
inline float java_max_f(float x, float y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

inline float java_min_f(float x, float y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}

#ifdef LOPT4J_FP64
inline double java_max_d(double x, double y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

inline double java_min_d(double x, double y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}
#endif

// Java's (int) cast of a float or double: round toward zero, saturate, NaN -> 0.
inline int java_to_int(wide_t v) { return isnan(v) ? 0 : convert_int_sat_rtz(v); }

// Java's (int) cast of a long that holds an exact integer result: saturate to the int range.
inline int saturate_int(long v) { return v > 2147483647L ? 2147483647 : (v < -2147483648L ? (int)(-2147483647 - 1) : (int)v); }

// Java's Math.signum: NaN and signed zeros come back unchanged.
#define JAVA_SIGNUM(x) ((x) > 0 ? 1 : ((x) < 0 ? -1 : (x)))
