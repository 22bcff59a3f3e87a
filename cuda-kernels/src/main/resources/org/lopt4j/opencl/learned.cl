// learned.cl: what the learned optimizers' OpenCL programs share (small_fc_lopt.cl, mlp_lopt.cl, velo.cl, each built
// with common.cl, learned_rule.cuh and this in front): the chunk-table NDRange of an element kernel, per-work-group
// sums, and two small per-tensor passes: learned_feature_scales (a tensor's feature scales, or plain sums, from the
// partial sums of its work-groups) and learned_time_features (the 11 time features of each tensor's update count).
// Element kernels use the 2-D NDRange of fused.cl over a chunk table (dimension 1: the entry, dimension 0: the
// position in it). Unlike the CUDA kernels, the apply kernels here read scales and time features these separate
// passes formed: partial sums are per work-group, and forming a tensor's scales in every work-group from all of them
// costs the square of its group count (a quarter more time on PoCL).

#define SFL_TABLE __global const int* tensor_of, __global const int* start_of, __global const int* offsets, \
                  __global const int* sizes, int chunk

// Whether this work-item has an element: its tensor *t, its index *e inside the tensor and its flat index *i.
inline bool sfl_element(SFL_TABLE, int* t, long* e, long* i) {
    const int c = (int)get_global_id(1);
    const long pos = (long)get_global_id(0);
    *t = tensor_of[c];
    *e = (long)start_of[c] + pos;
    *i = (long)offsets[*t] + *e;
    return pos < chunk && *e < sizes[*t];
}

// Adds x[0..n) of every work-item of the group into out[0..n): one tree reduction over all n values at once through
// scratch (n floats per work-item; a power-of-two group), so a group passes log2(size) + 1 barriers whatever n is.
// Every work-item of the group must call it.
inline void group_sums(const float* x, int n, __local float* scratch, __global float* out) {
    const int lid = (int)get_local_id(0), size = (int)get_local_size(0);
    for (int q = 0; q < n; q++) scratch[q * size + lid] = x[q];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size / 2; s > 0; s >>= 1) {
        if (lid < s) {
            for (int q = 0; q < n; q++) scratch[q * size + lid] += scratch[q * size + lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int q = lid; q < n; q += size) out[q] = scratch[q * size];
}

// One work-item per (tensor, feature): the partials of the tensor's chunks in order (chunks first_chunk[t] .. first_chunk[t + 1] - 1, per_chunk rows of `features` each), to
// scale = 1/sqrt(eps + mean square) when normalize is 1, or the plain sum when it is 0.
__kernel void learned_feature_scales(__global const float* partials, int per_chunk, int features, float eps,
                                    int normalize, __global const int* first_chunk, __global const int* sizes,
                                    __global float* scale, int tensors) {
    const int id = (int)get_global_id(0);
    if (id >= tensors * features) return;
    const int t = id / features, q = id % features;
    scale[id] = lopt_tensor_scale(partials, per_chunk, features, q, first_chunk[t], first_chunk[t + 1], sizes[t], eps,
                                  normalize);
}

// The 11 time features of each tensor's update count before this step (count - 1, pass 1 having advanced it): one
// work-item per (tensor, feature).
__kernel void learned_time_features(__global const float* count, int count_stride, __global float* time, int tensors) {
    const int id = (int)get_global_id(0);
    if (id >= tensors * SFL_TIME) return;
    time[id] = lopt_time_feature(count[(long)(id / SFL_TIME) * count_stride] - 1.0f, id % SFL_TIME);
}
