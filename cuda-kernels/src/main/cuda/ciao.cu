// ciao.cu: the step of LHOPT's inner optimizer CIAO (lhopt.md sections 2-3) over a slab in five launches whatever the
// number of tensors: ciao_norms, ciao_global, ciao_moments, ciao_tensors, ciao_apply. The code is ciao.cuh, which the
// OpenCL program ciao.cl shares; a block of C2_GROUP threads per slab chunk (ciao_global: one block; ciao_tensors: a
// thread per tensor); scalars arrive in double. Java twin: org.lopt4j.optim.CiaoRef; launcher: org.lopt4j.cuda.CudaCiao.
#include "learned_rule.cuh"
#include "newton_schulz.cuh"
#include "celo2.cuh"
#include "ciao.cuh"

extern "C" __global__ void ciao_norms(const float* grads, float* partials, const int* tensor_of, const int* start_of,
                                      const int* offsets, const int* sizes, int chunk) {
    __shared__ float scratch[C2_GROUP];
    c2_grad_norms(grads, partials + CIAO_RAW, CIAO_SUMS, tensor_of, start_of, offsets, sizes, chunk, blockIdx.x, threadIdx.x, scratch);
}

extern "C" __global__ void ciao_global(const float* partials, int chunks, float* clip_state, double grad_clip_beta, double clip_norm) {
    __shared__ float scratch[C2_GROUP];
    ci_global(partials, chunks, clip_state, (float)grad_clip_beta, (float)clip_norm, threadIdx.x, scratch);
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
