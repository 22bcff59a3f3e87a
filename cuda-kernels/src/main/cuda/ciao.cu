// ciao.cu: the step of LHOPT's inner optimizer CIAO (lhopt.md sections 2-3) over a slab in four launches whatever the
// number of tensors: ciao_global, ciao_moments, ciao_tensors, ciao_apply. The code is ciao.cuh, which the
// OpenCL program ciao.cl shares; a block of C2_GROUP threads per slab chunk (ciao_global: one thread; ciao_tensors: a
// thread per tensor); scalars arrive in double. Java twin: org.lopt4j.optim.CiaoRef; launcher: org.lopt4j.cuda.CudaCiao.
#include "learned_rule.cuh"
#include "newton_schulz.cuh"
#include "celo2.cuh"
#include "ciao.cuh"

// One thread.
extern "C" __global__ void ciao_global(const float* grad_stats, float* clip_state, double grad_clip_beta, double clip_norm) {
    if (threadIdx.x == 0) ci_global(grad_stats, clip_state, (float)grad_clip_beta, (float)clip_norm);
}

extern "C" __global__ void ciao_moments(const float* params, const float* grads, float* m, float* v, const float* per_tensor,
                                        const float* clip_state, float* partials, double beta1, double beta2, double eps, double wd,
                                        int inf, int wd_in_update, int features, const int* tensor_of, const int* start_of,
                                        const int* offsets, const int* sizes, int chunk) {
    __shared__ float scratch[CIAO_SUMS * C2_GROUP];
    ci_moments(params, grads, m, v, per_tensor, clip_state, partials, (float)beta1, (float)beta2, (float)eps, (float)wd, inf,
                 wd_in_update, features, tensor_of, start_of, offsets, sizes, chunk, blockIdx.x, threadIdx.x, scratch);
}

extern "C" __global__ void ciao_tensors(const float* partials, const int* first_chunk, const int* sizes, float* per_tensor,
                                        const float* clip_state, const float* vector, float* features, int with_features, double lr,
                                        double beta1, double beta2, double lamb_power, double lamb_min, double lamb_max,
                                        int lamb_ignore_vectors, double lamb_ombeta, int tensors) {
    ci_tensors(partials, first_chunk, sizes, per_tensor, clip_state, vector, features, with_features, (float)lr, (float)beta1,
                 (float)beta2, (float)lamb_power, (float)lamb_min, (float)lamb_max, lamb_ignore_vectors, (float)lamb_ombeta, tensors,
                 blockIdx.x * blockDim.x + threadIdx.x);
}

extern "C" __global__ void ciao_apply(float* params, const float* m, const float* v, const float* per_tensor, double eps, double wd,
                                      int inf, int wd_in_update, const int* tensor_of, const int* start_of, const int* offsets,
                                      const int* sizes, int chunk) {
    ci_apply(params, m, v, per_tensor, (float)eps, (float)wd, inf, wd_in_update, tensor_of, start_of, offsets, sizes, chunk,
               blockIdx.x, threadIdx.x);
}
