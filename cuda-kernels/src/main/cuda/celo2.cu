// celo2.cu: CELO2's and ELO-CELO2's step (celo2.md sections 1-2) over a whole population slab in a fixed number of
// launches whatever the number of tensors or members: [celo2_grad_norms, celo2_member_scales with a global norm clip],
// celo2_clip, small_fc_lopt's accumulate and row_means (small_fc_lopt.cu), celo2_feature_sums, celo2_block_scales,
// celo2_mlp, Newton-Schulz over every block (newton_schulz.cu, 17 launches), celo2_step_sums, celo2_block_scales,
// celo2_apply. The code is celo2.cuh, which the OpenCL program celo2.cl shares; a block of C2_GROUP threads per table
// entry; scalars arrive in double. Java twin: org.lopt4j.learned.celo2.Celo2Ref; launcher: org.lopt4j.cuda.CudaCelo2.
#include "learned_rule.cuh"
#include "newton_schulz.cuh"
#include "celo2.cuh"

extern "C" __global__ void celo2_grad_norms(const float* grads, float* norm_partials, const int* tensor_of, const int* start_of,
                                            const int* offsets, const int* sizes, int chunk) {
    __shared__ float scratch[C2_GROUP];
    c2_grad_norms(grads, norm_partials, tensor_of, start_of, offsets, sizes, chunk, blockIdx.x, threadIdx.x, scratch);
}

// Block m: member m's global norm clip scale.
extern "C" __global__ void celo2_member_scales(const float* norm_partials, const int* first_chunk, int per_member, double clip_norm,
                                               float* member_scales) {
    __shared__ float scratch[C2_GROUP];
    c2_member_scales(norm_partials, first_chunk, per_member, (float)clip_norm, member_scales, blockIdx.x, threadIdx.x, scratch);
}

extern "C" __global__ void celo2_clip(float* grads, const int* info, const float* member_scales, int use_scales, double lim,
                                      const int* tensor_of, const int* start_of, const int* offsets, const int* sizes, int chunk) {
    c2_clip(grads, info, member_scales, use_scales, (float)lim, tensor_of, start_of, offsets, sizes, chunk, blockIdx.x, threadIdx.x);
}

extern "C" __global__ void celo2_feature_sums(const float* params, const float* grads, const float* m0, const float* m1,
                                              const float* m2, const float* v, const float* r0, const float* r1, const float* r2,
                                              const float* c0, const float* c1, const float* c2, const float* row_mean,
                                              int mean_total, const int* info, float* partials, const int* blocks,
                                              const int* block_of, const int* block_start, int block_chunk) {
    __shared__ float scratch[C2_FEATURES * C2_GROUP];
    c2_feature_sums(params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, info, partials, blocks, block_of,
                    block_start, block_chunk, blockIdx.x, threadIdx.x, scratch);
}

// A thread per (block, feature).
extern "C" __global__ void celo2_block_scales(const float* partials, int features, const int* blocks, int block_count, float* scales) {
    c2_block_scales(partials, features, blocks, block_count, scales, blockIdx.x * blockDim.x + threadIdx.x);
}

extern "C" __global__ void celo2_mlp(const float* params, const float* grads, const float* m0, const float* m1, const float* m2,
                                     const float* v, const float* r0, const float* r1, const float* r2, const float* c0,
                                     const float* c1, const float* c2, const float* row_mean, int mean_total, const int* info,
                                     const float* block_scales, const float* theta, int theta_stride, int hidden, double exp_mult,
                                     float* step, const int* blocks, const int* block_of, const int* block_start, int block_chunk) {
    __shared__ float wl[C2_MAX_THETA + C2_FEATURES];
    c2_mlp(params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, info, block_scales, theta, theta_stride,
           hidden, (float)exp_mult, step, blocks, block_of, block_start, block_chunk, blockIdx.x, threadIdx.x, wl);
}

extern "C" __global__ void celo2_step_sums(const float* step, float* partials, const int* blocks, const int* block_of,
                                           const int* block_start, int block_chunk) {
    __shared__ float scratch[C2_GROUP];
    c2_step_sums(step, partials, blocks, block_of, block_start, block_chunk, blockIdx.x, threadIdx.x, scratch);
}

extern "C" __global__ void celo2_apply(float* params, const float* grads, float* adam_m, float* adam_v, const float* m0,
                                       const float* v, const float* count, int count_stride, const float* step,
                                       const float* step_scales, const int* blocks, const int* tensor_block, int shared_adam,
                                       double lr, double wd, double adam_lr, double adam_wd, const int* tensor_of,
                                       const int* start_of, const int* offsets, const int* sizes, int chunk) {
    c2_apply(params, grads, adam_m, adam_v, m0, v, count, count_stride, step, step_scales, blocks, tensor_block, shared_adam,
             (float)lr, (float)wd, (float)adam_lr, (float)adam_wd, tensor_of, start_of, offsets, sizes, chunk, blockIdx.x, threadIdx.x);
}
