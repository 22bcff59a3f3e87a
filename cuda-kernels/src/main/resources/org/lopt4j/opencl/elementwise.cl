// elementwise.cl: unary and binary ops over strided views of rank <= 8, generic over real_t (built once per dtype).
// Twin of cuda-kernels/src/main/cuda/elementwise.cu; Java twin: org.lopt4j.tensor.cpu.ScalarBackend (unary, binary).
// Launched by org.lopt4j.opencl.Elementwise, whose argument lists follow these parameters in order.
//
// Every operand has the output's shape (inputs arrive broadcast, stride 0 on broadcast axes), so one Dims plus one
// View per operand describes the launch; element e (row-major, 64-bit) is visited by one work-item of a grid-stride
// loop. An output may alias an input element for element (in-place ops), so no pointer is restrict.
//
// F32: + - * / sqrt are correctly rounded (the program is built with -cl-fp32-correctly-rounded-divide-sqrt), which
// equals ScalarBackend's double compute rounded to float; exp, log and tanh are the device's (a few ulp). F64: the
// same in double. I32: Java computes in double and casts back (truncate, saturate, NaN -> 0); + - * / max min and
// comparisons are exact in 64-bit integers here (the double quotient of two ints truncates to the integer quotient),
// recip, exp, log, sqrt and tanh go through wide_t (double where the device has it).

#define UNARY_NEG 0
#define UNARY_RECIP 1
#define UNARY_EXP 2
#define UNARY_LOG 3
#define UNARY_SQRT 4
#define UNARY_TANH 5
#define UNARY_ABS 6
#define UNARY_SIGN 7

#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_MAX 4
#define BINARY_MIN 5
#define BINARY_CMPLT 6
#define BINARY_CMPEQ 7

#if defined(LOPT4J_I32)

inline int unary_op(int op, int xi) {
    const long x = xi;
    switch (op) {
        case UNARY_NEG: return saturate_int(-x);
        case UNARY_RECIP: return java_to_int((wide_t)1 / (wide_t)xi);
        case UNARY_EXP: return java_to_int(exp((wide_t)xi));
        case UNARY_LOG: return java_to_int(log((wide_t)xi));
        case UNARY_SQRT: return java_to_int(sqrt((wide_t)xi));
        case UNARY_TANH: return java_to_int(tanh((wide_t)xi));
        case UNARY_ABS: return saturate_int(x < 0 ? -x : x);
        default: return x > 0 ? 1 : (x < 0 ? -1 : 0);               // UNARY_SIGN
    }
}

inline int binary_op(int op, int xi, int yi) {
    const long x = xi, y = yi;
    switch (op) {
        case BINARY_ADD: return saturate_int(x + y);
        case BINARY_SUB: return saturate_int(x - y);
        case BINARY_MUL: return saturate_int(x * y);
        case BINARY_DIV:                                            // x / 0.0 is +-inf (saturates) or NaN (0)
            if (y == 0) return x > 0 ? 2147483647 : (x < 0 ? (int)(-2147483647 - 1) : 0);
            return saturate_int(x / y);
        case BINARY_MAX: return x > y ? xi : yi;
        case BINARY_MIN: return x < y ? xi : yi;
        case BINARY_CMPLT: return x < y ? 1 : 0;
        default: return x == y ? 1 : 0;                             // BINARY_CMPEQ
    }
}

#else

#if defined(LOPT4J_F32)
#define JAVA_MAX java_max_f
#define JAVA_MIN java_min_f
#else
#define JAVA_MAX java_max_d
#define JAVA_MIN java_min_d
#endif

inline real_t unary_op(int op, real_t x) {
    switch (op) {
        case UNARY_NEG: return -x;
        case UNARY_RECIP: return (real_t)1 / x;
        case UNARY_EXP: return exp(x);
        case UNARY_LOG: return log(x);
        case UNARY_SQRT: return sqrt(x);
        case UNARY_TANH: return tanh(x);
        case UNARY_ABS: return fabs(x);
        default: return JAVA_SIGNUM(x);                             // UNARY_SIGN: keeps +-0 and NaN
    }
}

inline real_t binary_op(int op, real_t x, real_t y) {
    switch (op) {
        case BINARY_ADD: return x + y;
        case BINARY_SUB: return x - y;
        case BINARY_MUL: return x * y;
        case BINARY_DIV: return x / y;
        case BINARY_MAX: return JAVA_MAX(x, y);
        case BINARY_MIN: return JAVA_MIN(x, y);
        case BINARY_CMPLT: return x < y ? (real_t)1 : (real_t)0;
        default: return x == y ? (real_t)1 : (real_t)0;             // BINARY_CMPEQ
    }
}

#endif

// out = op(x).
__kernel void elementwise_unary(__global real_t* out, __global const real_t* x, Dims dims, View out_v, View x_v,
                                long n, int op) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = unary_op(op, x[offset_of(&x_v, idx)]);
    }
}

// out = op(x, y).
__kernel void elementwise_binary(__global real_t* out, __global const real_t* x, __global const real_t* y, Dims dims,
                                 View out_v, View x_v, View y_v, long n, int op) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = binary_op(op, x[offset_of(&x_v, idx)], y[offset_of(&y_v, idx)]);
    }
}
