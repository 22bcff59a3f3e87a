// celo2.cl: CELO2's and ELO-CELO2's step (celo2.md sections 1-2) over a whole population slab in a fixed number of
// launches, the same passes as celo2.cu: a work-group of C2_GROUP work-items per table entry (1-D NDRange). Built with
// common.cl, learned_rule.cuh, newton_schulz.cuh and celo2.cuh (shared with celo2.cu) in front; launched by
// org.lopt4j.opencl.OpenClCelo2, which runs small_fc_lopt.cl's accumulate and row_means and newton_schulz.cl between.

#define C2_GROUP_ID ((int)get_group_id(0))
#define C2_LID ((int)get_local_id(0))

__kernel void celo2_grad_norms(__global const float* grads, __global float* norm_partials, __global const int* tensor_of,
                               __global const int* start_of, __global const int* offsets, __global const int* sizes, int chunk) {
    __local float scratch[C2_GROUP];
    c2_grad_norms(grads, norm_partials, tensor_of, start_of, offsets, sizes, chunk, C2_GROUP_ID, C2_LID, scratch);
}

__kernel void celo2_member_scales(__global const float* norm_partials, __global const int* first_chunk, int per_member,
                                  float clip_norm, __global float* member_scales) {
    __local float scratch[C2_GROUP];
    c2_member_scales(norm_partials, first_chunk, per_member, clip_norm, member_scales, C2_GROUP_ID, C2_LID, scratch);
}

__kernel void celo2_clip(__global float* grads, __global const int* info, __global const float* member_scales, int use_scales,
                         float lim, __global const int* tensor_of, __global const int* start_of, __global const int* offsets,
                         __global const int* sizes, int chunk) {
    c2_clip(grads, info, member_scales, use_scales, lim, tensor_of, start_of, offsets, sizes, chunk, C2_GROUP_ID, C2_LID);
}

__kernel void celo2_feature_sums(__global const float* params, __global const float* grads, __global const float* m0,
                                 __global const float* m1, __global const float* m2, __global const float* v,
                                 __global const float* r0, __global const float* r1, __global const float* r2,
                                 __global const float* c0, __global const float* c1, __global const float* c2,
                                 __global const float* row_mean, int mean_total, __global const int* info,
                                 __global float* partials, __global const int* blocks, __global const int* block_of,
                                 __global const int* block_start, int block_chunk) {
    __local float scratch[C2_FEATURES * C2_GROUP];
    c2_feature_sums(params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, info, partials, blocks, block_of,
                    block_start, block_chunk, C2_GROUP_ID, C2_LID, scratch);
}

// A work-item per (block, feature).
__kernel void celo2_block_scales(__global const float* partials, int features, __global const int* blocks, int block_count,
                                 __global float* scales) {
    c2_block_scales(partials, features, blocks, block_count, scales, (int)get_global_id(0));
}

__kernel void celo2_mlp(__global const float* params, __global const float* grads, __global const float* m0,
                        __global const float* m1, __global const float* m2, __global const float* v, __global const float* r0,
                        __global const float* r1, __global const float* r2, __global const float* c0, __global const float* c1,
                        __global const float* c2, __global const float* row_mean, int mean_total, __global const int* info,
                        __global const float* block_scales, __global const float* theta, int theta_stride, int hidden,
                        float exp_mult, __global float* step, __global const int* blocks, __global const int* block_of,
                        __global const int* block_start, int block_chunk) {
    __local float wl[C2_MAX_THETA + C2_FEATURES];
    c2_mlp(params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, info, block_scales, theta, theta_stride,
           hidden, exp_mult, step, blocks, block_of, block_start, block_chunk, C2_GROUP_ID, C2_LID, wl);
}

__kernel void celo2_step_sums(__global const float* step, __global float* partials, __global const int* blocks,
                              __global const int* block_of, __global const int* block_start, int block_chunk) {
    __local float scratch[C2_GROUP];
    c2_step_sums(step, partials, blocks, block_of, block_start, block_chunk, C2_GROUP_ID, C2_LID, scratch);
}

__kernel void celo2_apply(__global float* params, __global const float* grads, __global float* adam_m, __global float* adam_v,
                          __global const float* m0, __global const float* v, __global const float* count, int count_stride,
                          __global const float* step, __global const float* step_scales, __global const int* blocks,
                          __global const int* tensor_block, int shared_adam, float lr, float wd, float adam_lr, float adam_wd,
                          __global const int* tensor_of, __global const int* start_of, __global const int* offsets,
                          __global const int* sizes, int chunk) {
    c2_apply(params, grads, adam_m, adam_v, m0, v, count, count_stride, step, step_scales, blocks, tensor_block, shared_adam, lr, wd,
             adam_lr, adam_wd, tensor_of, start_of, offsets, sizes, chunk, C2_GROUP_ID, C2_LID);
}
