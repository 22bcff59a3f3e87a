// ciao.cl: the step of LHOPT's inner optimizer CIAO (lhopt.md sections 2-3) in four launches, the passes of ciao.cu:
// a work-group of C2_GROUP work-items per slab chunk (ciao_global: one work-item; ciao_tensors: a work-item per tensor).
// Built with common.cl, learned_rule.cuh, newton_schulz.cuh, celo2.cuh and ciao.cuh (shared with ciao.cu) in front;
// launched by org.lopt4j.opencl.OpenClCiao.

// One work-item.
__kernel void ciao_global(__global const float* grad_stats, __global float* clip_state, float grad_clip_beta, float clip_norm) {
    if (get_global_id(0) == 0) ci_global(grad_stats, clip_state, grad_clip_beta, clip_norm);
}

__kernel void ciao_moments(__global const float* params, __global const float* grads, __global float* m, __global float* v,
                           __global const float* per_tensor, __global const float* clip_state, __global float* partials, float beta1,
                           float beta2, float eps, float wd, int inf, int wd_in_update, int features, __global const int* tensor_of,
                           __global const int* start_of, __global const int* offsets, __global const int* sizes, int chunk) {
    __local float scratch[CIAO_SUMS * C2_GROUP];
    ci_moments(params, grads, m, v, per_tensor, clip_state, partials, beta1, beta2, eps, wd, inf, wd_in_update, features, tensor_of,
                 start_of, offsets, sizes, chunk, (int)get_group_id(0), (int)get_local_id(0), scratch);
}

__kernel void ciao_tensors(__global const float* partials, __global const int* first_chunk, __global const int* sizes,
                           __global float* per_tensor, __global const float* clip_state, __global const float* vector,
                           __global float* features, int with_features, float lr, float beta1, float beta2, float lamb_power,
                           float lamb_min, float lamb_max, int lamb_ignore_vectors, float lamb_ombeta, int tensors) {
    ci_tensors(partials, first_chunk, sizes, per_tensor, clip_state, vector, features, with_features, lr, beta1, beta2, lamb_power,
                 lamb_min, lamb_max, lamb_ignore_vectors, lamb_ombeta, tensors, (int)get_global_id(0));
}

__kernel void ciao_apply(__global float* params, __global const float* m, __global const float* v, __global const float* per_tensor,
                         float eps, float wd, int inf, int wd_in_update, __global const int* tensor_of, __global const int* start_of,
                         __global const int* offsets, __global const int* sizes, int chunk) {
    ci_apply(params, m, v, per_tensor, eps, wd, inf, wd_in_update, tensor_of, start_of, offsets, sizes, chunk, (int)get_group_id(0),
               (int)get_local_id(0));
}
