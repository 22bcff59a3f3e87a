// move.cl: kernels that move elements without arithmetic, for every dtype at once (built once per device): fill,
// copy (with dtype conversion), where and gather. Values move as 32- or 64-bit patterns (the _32 and _64 kernels).
// Twins: the fill, copy and where kernels of cuda-kernels/src/main/cuda/elementwise.cu and gather.cu; Java twins:
// the Op.Fill, Op.Copy, Op.Where and Op.Gather cases of org.lopt4j.tensor.cpu.ScalarBackend. Launched by
// org.lopt4j.opencl.Elementwise and org.lopt4j.opencl.Gather. F64 conversions need LOPT4J_FP64 (a device without
// cl_khr_fp64 has no F64 tensors).

// out = value, given as the bit pattern of the output dtype (Java converts the double once).
__kernel void fill_32(__global uint* out, Dims dims, View out_v, long n, uint bits) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = bits;
    }
}

__kernel void fill_64(__global ulong* out, Dims dims, View out_v, long n, ulong bits) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = bits;
    }
}

// out = x, same dtype.
__kernel void copy_32(__global uint* out, __global const uint* x, Dims dims, View out_v, View x_v, long n) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = x[offset_of(&x_v, idx)];
    }
}

__kernel void copy_64(__global ulong* out, __global const ulong* x, Dims dims, View out_v, View x_v, long n) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        out[offset_of(&out_v, idx)] = x[offset_of(&x_v, idx)];
    }
}

// out = x converted from dtype `from` to dtype `to` (they differ), as ScalarBackend's set(get()): to F32 rounds to
// nearest, to I32 truncates like Java's (int) cast, to F64 is exact.
__kernel void copy_convert(__global uchar* out, __global const uchar* x, Dims dims, View out_v, View x_v, long n,
                           int from, int to) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        const long i = offset_of(&x_v, idx), o = offset_of(&out_v, idx);
        if (from == DTYPE_I32) {
            const int v = ((__global const int*)x)[i];
            if (to == DTYPE_F32) ((__global float*)out)[o] = convert_float_rte(v);
#ifdef LOPT4J_FP64
            else ((__global double*)out)[o] = (double)v;
#endif
        } else if (from == DTYPE_F32) {
            const float v = ((__global const float*)x)[i];
            if (to == DTYPE_I32) ((__global int*)out)[o] = java_to_int(v);
#ifdef LOPT4J_FP64
            else ((__global double*)out)[o] = (double)v;
#endif
        } else {
#ifdef LOPT4J_FP64
            const double v = ((__global const double*)x)[i];
            if (to == DTYPE_F32) ((__global float*)out)[o] = convert_float_rte(v);
            else ((__global int*)out)[o] = isnan(v) ? 0 : convert_int_sat_rtz(v);
#endif
        }
    }
}

// Whether the condition element at `i` is non-zero, as Java's `c != 0` on the value: for floats, NaN counts as
// non-zero and -0 as zero.
inline bool condition_at(__global const uchar* cond, long i, int cond_dtype) {
    if (cond_dtype == DTYPE_F64) return (((__global const ulong*)cond)[i] & 0x7FFFFFFFFFFFFFFFul) != 0ul;
    const uint c = ((__global const uint*)cond)[i];
    return cond_dtype == DTYPE_F32 ? (c & 0x7FFFFFFFu) != 0u : c != 0u;
}

// out = cond != 0 ? x : y; x, y and out share one dtype (moved as bits), cond is F32, I32 or F64 per cond_dtype.
__kernel void where_32(__global uint* out, __global const uchar* cond, __global const uint* x, __global const uint* y,
                       Dims dims, View out_v, View cond_v, View x_v, View y_v, long n, int cond_dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        const bool pick_x = condition_at(cond, offset_of(&cond_v, idx), cond_dtype);
        out[offset_of(&out_v, idx)] = pick_x ? x[offset_of(&x_v, idx)] : y[offset_of(&y_v, idx)];
    }
}

__kernel void where_64(__global ulong* out, __global const uchar* cond, __global const ulong* x,
                       __global const ulong* y, Dims dims, View out_v, View cond_v, View x_v, View y_v, long n,
                       int cond_dtype) {
    GRID_STRIDE_LOOP(e, n) {
        long idx[LOPT4J_MAX_RANK];
        unravel(&dims, e, idx);
        const bool pick_x = condition_at(cond, offset_of(&cond_v, idx), cond_dtype);
        out[offset_of(&out_v, idx)] = pick_x ? x[offset_of(&x_v, idx)] : y[offset_of(&y_v, idx)];
    }
}

// The table row named by the index element at `i`, or -1 when it is not a whole number in [0, rows) (floats as in
// Java: (int) v == v).
inline int row_at(__global const uchar* index, long i, int index_dtype, int rows) {
    int row;
    if (index_dtype == DTYPE_I32) {
        row = ((__global const int*)index)[i];
    } else if (index_dtype == DTYPE_F32) {
        const float v = ((__global const float*)index)[i];
        row = java_to_int(v);
        if ((float)row != v) return -1;
    } else {
#ifdef LOPT4J_FP64
        const double v = ((__global const double*)index)[i];
        row = isnan(v) ? 0 : convert_int_sat_rtz(v);
        if ((double)row != v) return -1;
#else
        return -1;
#endif
    }
    return row >= 0 && row < rows ? row : -1;
}

// out[i, ...] = table[index[i], ...]. `dims` is the output's shape [n_index, row...] (rank <= 8, not merged across
// axis 0); table_v holds the table's strides (s[0] steps one row) and index_v the index vector's (s[0] steps one
// index, the rest zero). A bad index writes nothing and lowers *first_bad to its position, which Java reads back and
// reports as an IndexOutOfBoundsException (Java sets *first_bad to INT_MAX before the launch).
#define GATHER_BODY                                                                                  \
    GRID_STRIDE_LOOP(e, n) {                                                                         \
        long idx[LOPT4J_MAX_RANK];                                                                   \
        unravel(&dims, e, idx);                                                                      \
        const long position = idx[0];                                                                \
        const int row = row_at(index, offset_of(&index_v, idx), index_dtype, rows);                  \
        if (row < 0) {                                                                               \
            atomic_min(first_bad, (int)position);                                                    \
            continue;                                                                                \
        }                                                                                            \
        const long dst = offset_of(&out_v, idx);                                                     \
        idx[0] = row;                                                                                \
        out[dst] = table[offset_of(&table_v, idx)];                                                  \
    }

__kernel void gather_32(__global uint* out, __global const uint* table, __global const uchar* index, Dims dims,
                        View out_v, View table_v, View index_v, long n, int rows, int index_dtype,
                        __global int* first_bad) {
    GATHER_BODY
}

__kernel void gather_64(__global ulong* out, __global const ulong* table, __global const uchar* index, Dims dims,
                        View out_v, View table_v, View index_v, long n, int rows, int index_dtype,
                        __global int* first_bad) {
    GATHER_BODY
}
