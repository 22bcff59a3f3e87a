// elementwise.cu: unary, binary, where, fill and copy (with dtype conversion) over strided views of rank <= 8.
// Java twin: org.lopt4j.tensor.cpu.ScalarBackend (ScalarBackend.unary / ScalarBackend.binary define each op; where,
// fill and copy are the Op.Where / Op.Fill / Op.Copy cases of ScalarBackend.execute). Launched by
// org.lopt4j.cuda.Elementwise, whose args records list these parameters in order.
//
// Every operand has the output's shape (inputs arrive broadcast, stride 0 on broadcast axes), so one Dims plus one
// View per operand describes the launch. Element e (row-major, 64-bit) is visited by one thread of a grid-stride
// loop. An output may alias an input element for element (in-place ops), so no pointer is __restrict__.
//
// F32 arithmetic: + - * / sqrt are correctly rounded (__f*_rn), which equals ScalarBackend's double compute rounded
// to float; exp, log and tanh use CUDA's expf/logf/tanhf (within 2 ulp). I32: computed in double and converted
// like Java's (int) cast (truncate, saturate, NaN -> 0), exactly as ScalarBackend does.
#include "common.cuh"

enum UnaryCode {
    UNARY_NEG = 0, UNARY_RECIP = 1, UNARY_EXP = 2, UNARY_LOG = 3,
    UNARY_SQRT = 4, UNARY_TANH = 5, UNARY_ABS = 6, UNARY_SIGN = 7
};

enum BinaryCode {
    BINARY_ADD = 0, BINARY_SUB = 1, BINARY_MUL = 2, BINARY_DIV = 3,
    BINARY_MAX = 4, BINARY_MIN = 5, BINARY_CMPLT = 6, BINARY_CMPEQ = 7
};

// Conversions of elementwise_copy: the output dtype's bits from the input's.
enum CopyCode { COPY_BITS = 0, COPY_F32_TO_I32 = 1, COPY_I32_TO_F32 = 2 };

__device__ __forceinline__ float unary_f32(int op, float x) {
    switch (op) {
        case UNARY_NEG: return -x;
        case UNARY_RECIP: return __fdiv_rn(1.0f, x);
        case UNARY_EXP: return expf(x);
        case UNARY_LOG: return logf(x);
        case UNARY_SQRT: return __fsqrt_rn(x);
        case UNARY_TANH: return tanhf(x);
        case UNARY_ABS: return fabsf(x);
        default: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);   // UNARY_SIGN: keeps +-0 and NaN
    }
}

__device__ __forceinline__ int unary_i32(int op, int xi) {
    const double x = (double)xi;
    double r;
    switch (op) {
        case UNARY_NEG: r = -x; break;
        case UNARY_RECIP: r = __ddiv_rn(1.0, x); break;
        case UNARY_EXP: r = exp(x); break;
        case UNARY_LOG: r = log(x); break;
        case UNARY_SQRT: r = __dsqrt_rn(x); break;
        case UNARY_TANH: r = tanh(x); break;
        case UNARY_ABS: r = fabs(x); break;
        default: r = x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x); break;
    }
    return java_double_to_int(r);
}

__device__ __forceinline__ float binary_f32(int op, float x, float y) {
    switch (op) {
        case BINARY_ADD: return __fadd_rn(x, y);
        case BINARY_SUB: return __fsub_rn(x, y);
        case BINARY_MUL: return __fmul_rn(x, y);
        case BINARY_DIV: return __fdiv_rn(x, y);
        case BINARY_MAX: return java_max(x, y);
        case BINARY_MIN: return java_min(x, y);
        case BINARY_CMPLT: return x < y ? 1.0f : 0.0f;
        default: return x == y ? 1.0f : 0.0f;                      // BINARY_CMPEQ
    }
}

__device__ __forceinline__ int binary_i32(int op, int xi, int yi) {
    const double x = (double)xi, y = (double)yi;
    double r;
    switch (op) {
        case BINARY_ADD: r = __dadd_rn(x, y); break;
        case BINARY_SUB: r = __dsub_rn(x, y); break;
        case BINARY_MUL: r = __dmul_rn(x, y); break;
        case BINARY_DIV: r = __ddiv_rn(x, y); break;
        case BINARY_MAX: r = java_max(x, y); break;
        case BINARY_MIN: r = java_min(x, y); break;
        case BINARY_CMPLT: r = x < y ? 1.0 : 0.0; break;
        default: r = x == y ? 1.0 : 0.0; break;
    }
    return java_double_to_int(r);
}

// out = op(x); out and x have the same dtype (DTYPE_F32 or DTYPE_I32).
extern "C" __global__ void elementwise_unary(void* out, const void* x, Dims dims, View out_v, View x_v,
                                             long long n, int op, int dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const long long o = offset_of(out_v, idx), i = offset_of(x_v, idx);
        if (dtype == DTYPE_F32) {
            ((float*)out)[o] = unary_f32(op, ((const float*)x)[i]);
        } else {
            ((int*)out)[o] = unary_i32(op, ((const int*)x)[i]);
        }
    }
}

// out = op(x, y); all three have the same dtype.
extern "C" __global__ void elementwise_binary(void* out, const void* x, const void* y, Dims dims, View out_v,
                                              View x_v, View y_v, long long n, int op, int dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const long long o = offset_of(out_v, idx), i = offset_of(x_v, idx), j = offset_of(y_v, idx);
        if (dtype == DTYPE_F32) {
            ((float*)out)[o] = binary_f32(op, ((const float*)x)[i], ((const float*)y)[j]);
        } else {
            ((int*)out)[o] = binary_i32(op, ((const int*)x)[i], ((const int*)y)[j]);
        }
    }
}

// out = cond != 0 ? x : y. x, y and out share one 32-bit dtype (moved as bits); cond is F32 (NaN counts as
// non-zero, -0 as zero, as in Java) or I32, per cond_dtype.
extern "C" __global__ void elementwise_where(unsigned int* out, const unsigned int* cond, const unsigned int* x,
                                             const unsigned int* y, Dims dims, View out_v, View cond_v, View x_v,
                                             View y_v, long long n, int cond_dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const unsigned int c = cond[offset_of(cond_v, idx)];
        const bool pick_x = cond_dtype == DTYPE_F32 ? (c & 0x7FFFFFFFu) != 0u : c != 0u;
        out[offset_of(out_v, idx)] = pick_x ? x[offset_of(x_v, idx)] : y[offset_of(y_v, idx)];
    }
}

// out = value, given as the 32-bit pattern of the output dtype (Java converts the double once).
extern "C" __global__ void elementwise_fill(unsigned int* out, Dims dims, View out_v, long long n,
                                            unsigned int bits) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        out[offset_of(out_v, idx)] = bits;
    }
}

// out = x, converting per conversion (a CopyCode): F32 -> I32 like Java's (int) cast, I32 -> F32 rounded to nearest.
extern "C" __global__ void elementwise_copy(unsigned int* out, const unsigned int* x, Dims dims, View out_v, View x_v,
                                            long long n, int conversion) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const unsigned int v = x[offset_of(x_v, idx)];
        unsigned int r;
        if (conversion == COPY_F32_TO_I32) {
            r = (unsigned int)__float2int_rz(__uint_as_float(v));
        } else if (conversion == COPY_I32_TO_F32) {
            r = __float_as_uint(__int2float_rn((int)v));
        } else {
            r = v;
        }
        out[offset_of(out_v, idx)] = r;
    }
}
