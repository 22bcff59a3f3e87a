// reduce.cl: sum and max of a strided tensor over the axes where the output has size 1, generic over real_t.
// Twin of cuda-kernels/src/main/cuda/reduce.cu; Java twin: the Op.Reduce case of org.lopt4j.tensor.cpu.ScalarBackend
// (SUM starts at 0, MAX at -infinity and propagates NaN, as Math.max). Launched by org.lopt4j.opencl.Reduction.
//
// Java splits the input's axes into the kept ones (`kept`, shared by out_v and x_kept_v) and the reduced ones (`red`,
// x_red_v, offset zero), each merged and of rank <= 8. Two shapes of launch:
//   reduce_groups: one work-group per (output, split); its work-items stride over the split's share of the reduced
//                  elements and combine through local memory (`scratch`, one acc_t per work-item; the group size is
//                  a power of two). With splits > 1 (floats only) each group writes a partial result at
//                  out_v(o) + split * out_split_stride, and a second reduce_groups launch over those partials
//                  (splits = 1) finishes the job.
//   reduce_serial: one work-item per output, walking all reduced elements in order; chosen when the kept axes are
//                  the contiguous ones or the reduction is short.
// F32 accumulates in float, F64 in double; I32 accumulates in 64 bits and saturates like Java's (int) cast.

#define REDUCE_SUM 0
#define REDUCE_MAX 1

#if defined(LOPT4J_I32)
typedef long acc_t;
#define MAX_IDENTITY (-2147483648L)
inline acc_t combine(int op, acc_t a, acc_t b) { return op == REDUCE_SUM ? a + b : (a > b ? a : b); }
inline real_t store_acc(acc_t v) { return saturate_int(v); }
#else
typedef real_t acc_t;
#define MAX_IDENTITY (-INFINITY)
#if defined(LOPT4J_F32)
inline acc_t combine(int op, acc_t a, acc_t b) { return op == REDUCE_SUM ? a + b : java_max_f(a, b); }
#else
inline acc_t combine(int op, acc_t a, acc_t b) { return op == REDUCE_SUM ? a + b : java_max_d(a, b); }
#endif
inline real_t store_acc(acc_t v) { return v; }
#endif

inline acc_t identity(int op) { return op == REDUCE_SUM ? (acc_t)0 : (acc_t)MAX_IDENTITY; }

__kernel void reduce_groups(__global real_t* out, __global const real_t* x, Dims kept, Dims red, View out_v,
                            View x_kept_v, View x_red_v, long n_out, long n_red, int splits, long out_split_stride,
                            int op, __local acc_t* scratch) {
    const int lid = (int)get_local_id(0), size = (int)get_local_size(0);
    const long chunk = CEIL_DIV(n_red, (long)splits);
    for (long b = get_group_id(0); b < n_out * splits; b += get_num_groups(0)) {
        const long o = b / splits, split = b % splits;
        long kidx[LOPT4J_MAX_RANK];
        unravel(&kept, o, kidx);
        const long base = offset_of(&x_kept_v, kidx);
        const long begin = split * chunk, end = min(begin + chunk, n_red);
        acc_t acc = identity(op);
        for (long r = begin + lid; r < end; r += size) {
            long ridx[LOPT4J_MAX_RANK];
            unravel(&red, r, ridx);
            acc = combine(op, acc, (acc_t)x[base + offset_of(&x_red_v, ridx)]);
        }
        scratch[lid] = acc;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = size / 2; s > 0; s >>= 1) {
            if (lid < s) scratch[lid] = combine(op, scratch[lid], scratch[lid + s]);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) out[offset_of(&out_v, kidx) + split * out_split_stride] = store_acc(scratch[0]);
        barrier(CLK_LOCAL_MEM_FENCE);   // scratch[0] is read before the next round overwrites it
    }
}

__kernel void reduce_serial(__global real_t* out, __global const real_t* x, Dims kept, Dims red, View out_v,
                            View x_kept_v, View x_red_v, long n_out, long n_red, int op) {
    GRID_STRIDE_LOOP(o, n_out) {
        long kidx[LOPT4J_MAX_RANK];
        unravel(&kept, o, kidx);
        const long base = offset_of(&x_kept_v, kidx);
        acc_t acc = identity(op);
        for (long r = 0; r < n_red; ++r) {
            long ridx[LOPT4J_MAX_RANK];
            unravel(&red, r, ridx);
            acc = combine(op, acc, (acc_t)x[base + offset_of(&x_red_v, ridx)]);
        }
        out[offset_of(&out_v, kidx)] = store_acc(acc);
    }
}
