// reduce.cu: sum and max of a strided tensor over the axes where the output has size 1.
// Java twin: the Op.Reduce case of org.lopt4j.tensor.cpu.ScalarBackend (ScalarBackend.reduce): SUM starts at 0,
// MAX at -infinity and propagates NaN (Math.max). Launched by org.lopt4j.cuda.Reduction.
//
// Java splits the input's axes into the kept ones (`kept`, shared by out and x_kept_v) and the reduced ones (`red`,
// x_red_v), each merged and of rank <= 8; element (o, r) of the input is at x_kept_v(o) + x_red_v(r) - x_red_v.offset
// (x_red_v.offset is zero). Two shapes of launch:
//   reduce_blocks: one block per (output, split); its threads stride over the split's share of the reduced
//                  elements and combine by warp shuffles. With splits > 1 (F32 only) each block writes a partial
//                  result at out_v(o) + split * out_split_stride, and a second reduce_blocks launch over those
//                  partials (splits = 1) finishes the job.
//   reduce_serial: one thread per output, walking all reduced elements in order; chosen when the kept axes are the
//                  contiguous ones (neighbouring threads read neighbouring elements) or the reduction is short.
// F32 accumulates in float (a looser tolerance than ScalarBackend's double sum); I32 accumulates SUM in 64 bits and
// saturates like Java's (int) cast of the double sum.
#include "common.cuh"

enum ReduceCode { REDUCE_SUM = 0, REDUCE_MAX = 1 };

struct SumF32 {
    __device__ float operator()(float a, float b) const { return __fadd_rn(a, b); }
    __device__ float identity() const { return 0.0f; }
};
struct MaxF32 {
    __device__ float operator()(float a, float b) const { return java_max(a, b); }
    __device__ float identity() const { return __int_as_float(0xff800000); }   // -infinity
};
struct SumI32 {
    __device__ long long operator()(long long a, long long b) const { return a + b; }
    __device__ long long identity() const { return 0; }
};
struct MaxI32 {
    __device__ long long operator()(long long a, long long b) const { return a > b ? a : b; }
    __device__ long long identity() const { return -2147483648LL; }   // (int) -infinity in Java
};

__device__ __forceinline__ float to_acc(float v) { return v; }
__device__ __forceinline__ long long to_acc(int v) { return v; }
__device__ __forceinline__ void store(float* p, float v) { *p = v; }
__device__ __forceinline__ void store(int* p, long long v) { *p = saturate_int(v); }

template <typename T, typename Acc, typename Op>
__device__ void reduce_blocks_body(T* out, const T* x, const Dims& kept, const Dims& red, const View& out_v,
                                   const View& x_kept_v, const View& x_red_v, long long n_out, long long n_red,
                                   int splits, long long out_split_stride, Op op) {
    const long long chunk = CEIL_DIV(n_red, (long long)splits);
    for (long long b = blockIdx.x; b < n_out * splits; b += gridDim.x) {
        const long long o = b / splits, split = b % splits;
        long long kidx[LOPT4J_MAX_RANK];
        unravel(kept, o, kidx);
        const long long base = offset_of(x_kept_v, kidx);
        const long long begin = split * chunk, end = min(begin + chunk, n_red);
        Acc acc = op.identity();
        for (long long r = begin + threadIdx.x; r < end; r += blockDim.x) {
            long long ridx[LOPT4J_MAX_RANK];
            unravel(red, r, ridx);
            acc = op(acc, to_acc(x[base + offset_of(x_red_v, ridx)]));
        }
        acc = block_reduce(acc, op, op.identity());
        if (threadIdx.x == 0) store(out + offset_of(out_v, kidx) + split * out_split_stride, acc);
    }
}

template <typename T, typename Acc, typename Op>
__device__ void reduce_serial_body(T* out, const T* x, const Dims& kept, const Dims& red, const View& out_v,
                                   const View& x_kept_v, const View& x_red_v, long long n_out, long long n_red,
                                   Op op) {
    GRID_STRIDE_LOOP(o, n_out) {
        long long kidx[LOPT4J_MAX_RANK];
        unravel(kept, o, kidx);
        const long long base = offset_of(x_kept_v, kidx);
        Acc acc = op.identity();
        for (long long r = 0; r < n_red; ++r) {
            long long ridx[LOPT4J_MAX_RANK];
            unravel(red, r, ridx);
            acc = op(acc, to_acc(x[base + offset_of(x_red_v, ridx)]));
        }
        store(out + offset_of(out_v, kidx), acc);
    }
}

// blockDim.x must be a multiple of 32 (block_reduce); splits > 1 only for DTYPE_F32.
extern "C" __global__ void reduce_blocks(void* out, const void* x, Dims kept, Dims red, View out_v, View x_kept_v,
                                         View x_red_v, long long n_out, long long n_red, int splits,
                                         long long out_split_stride, int op, int dtype) {
    if (dtype == DTYPE_F32) {
        if (op == REDUCE_SUM) {
            reduce_blocks_body<float, float>((float*)out, (const float*)x, kept, red, out_v, x_kept_v, x_red_v,
                                             n_out, n_red, splits, out_split_stride, SumF32());
        } else {
            reduce_blocks_body<float, float>((float*)out, (const float*)x, kept, red, out_v, x_kept_v, x_red_v,
                                             n_out, n_red, splits, out_split_stride, MaxF32());
        }
    } else {
        if (op == REDUCE_SUM) {
            reduce_blocks_body<int, long long>((int*)out, (const int*)x, kept, red, out_v, x_kept_v, x_red_v,
                                               n_out, n_red, 1, 0, SumI32());
        } else {
            reduce_blocks_body<int, long long>((int*)out, (const int*)x, kept, red, out_v, x_kept_v, x_red_v,
                                               n_out, n_red, 1, 0, MaxI32());
        }
    }
}

extern "C" __global__ void reduce_serial(void* out, const void* x, Dims kept, Dims red, View out_v, View x_kept_v,
                                         View x_red_v, long long n_out, long long n_red, int op, int dtype) {
    if (dtype == DTYPE_F32) {
        if (op == REDUCE_SUM) {
            reduce_serial_body<float, float>((float*)out, (const float*)x, kept, red, out_v, x_kept_v, x_red_v,
                                             n_out, n_red, SumF32());
        } else {
            reduce_serial_body<float, float>((float*)out, (const float*)x, kept, red, out_v, x_kept_v, x_red_v,
                                             n_out, n_red, MaxF32());
        }
    } else {
        if (op == REDUCE_SUM) {
            reduce_serial_body<int, long long>((int*)out, (const int*)x, kept, red, out_v, x_kept_v, x_red_v,
                                               n_out, n_red, SumI32());
        } else {
            reduce_serial_body<int, long long>((int*)out, (const int*)x, kept, red, out_v, x_kept_v, x_red_v,
                                               n_out, n_red, MaxI32());
        }
    }
}
