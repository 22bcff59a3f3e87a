// mlp_lopt.cu: MLPLOpt's step (mlp_lopt.md) over a whole population slab in two launches, whatever the number of
// tensors or members (F32): accumulate (the six momenta and per-chunk partial sums of the 8 features' squares; it
// advances the update counts) and apply (each block forms its tensor's feature scales and time features, then every
// element goes through its member's MLP). Nothing is read back (LOPT_SKIPS). The per-element code is learned_rule.cuh,
// which the OpenCL program mlp_lopt.cl shares. Java twin: org.lopt4j.learned.mlp.MlpLoptRef; launcher:
// org.lopt4j.cuda.CudaMlpLopt; tables: org.lopt4j.learned.mlp.MlpLoptTables.
#include "fused.cuh"
#include "learned_rule.cuh"
#include "learned.cuh"

// accumulate: the six momenta m_k = d_k*m_k + (1 - d_k)*g (decays: d_0..d_5, then 1 - each), and the squares of
// the 8 features [g, p, m_0..m_5] (momenta after the update) summed per block into partials (8 per chunk entry); it
// advances each tensor's update count (the block of its first chunk) or, when the step is skipped, skips[0].
extern "C" __global__ void mlp_lopt_accumulate(const float* params, const float* grads, float* m0, float* m1, float* m2,
                                               float* m3, float* m4, float* m5, const float* decays, float* partials,
                                               const int* tensor_of, const int* start_of, const int* offsets,
                                               const int* sizes, int chunk, float* count, int count_stride,
                                               const float* grad_stats, int skip_nonfinite, float* skips) {
    __shared__ float warp_sums[32][MLP_FEATURES];
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (blockIdx.x == 0 && threadIdx.x == 0) skips[0] += 1.0f;
        return;
    }
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    if (threadIdx.x == 0 && start_of[blockIdx.x] == 0) count[(long long)tensor_of[blockIdx.x] * count_stride] += 1.0f;
    float* m[MLP_MOMENTA] = {m0, m1, m2, m3, m4, m5};
    float acc[MLP_FEATURES];
    for (int q = 0; q < MLP_FEATURES; q++) acc[q] = 0.f;
    CHUNK_LOOP(i, begin, end) {
        const float g = grads[i], p = params[i];
        acc[0] += g * g;
        acc[1] += p * p;
        for (int k = 0; k < MLP_MOMENTA; k++) {
            const float mi = decays[k] * m[k][i] + decays[MLP_MOMENTA + k] * g;
            m[k][i] = mi;
            acc[2 + k] += mi * mi;
        }
    }
    block_sums<MLP_FEATURES>(acc, warp_sums, partials + (long long)blockIdx.x * MLP_FEATURES);
}

// apply: each block first forms its tensor's 8 feature scales from the partials of pass 1 (the same sums in
// the same order as OpenCL's learned_feature_scales) and its 11 time features (update count before this step), then normalized
// [g, p, m_0..m_5] and the time features go through the member's MLP (tensor t belongs to member t / per_member);
// p <- p - step_mult * dir * exp(exp_mult * mag).
extern "C" __global__ void mlp_lopt_apply(float* params, const float* grads, const float* m0, const float* m1,
                                             const float* m2, const float* m3, const float* m4, const float* m5,
                                             const float* partials, int per_chunk, const int* first_chunk,
                                             const float* theta, int theta_stride, const float* count,
                                             int count_stride, const int* widths, int layers, int per_member, double exp_mult,
                                             double step_mult, const int* tensor_of, const int* start_of,
                                             const int* offsets, const int* sizes, int chunk, const float* grad_stats,
                                             int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    __shared__ float sc[MLP_FEATURES], time[SFL_TIME];
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x], member = t / per_member;
    if (threadIdx.x < SFL_TIME) time[threadIdx.x] = lopt_time_feature(count[(long long)t * count_stride] - 1.0f, threadIdx.x);
    tensor_scales(sc, MLP_FEATURES, partials, per_chunk, first_chunk, sizes, t);
    const float* w = theta + (long long)member * theta_stride;
    const float* m[MLP_MOMENTA] = {m0, m1, m2, m3, m4, m5};
    const float em = (float)exp_mult, sm = (float)step_mult;
    int wl[LOPT_MAX_LAYERS + 1];
    for (int l = 0; l <= layers; l++) wl[l] = widths[l];
    float x[SFL_INPUTS], out[2];
    CHUNK_LOOP(i, begin, end) {
        x[0] = grads[i] * sc[0];
        x[1] = params[i] * sc[1];
        for (int k = 0; k < MLP_MOMENTA; k++) x[2 + k] = m[k][i] * sc[2 + k];
        for (int k = 0; k < SFL_TIME; k++) x[MLP_FEATURES + k] = time[k];
        if (layers == 3 && wl[0] == 19 && wl[1] == 32 && wl[2] == 32) mlp_mlp_32(w, x, out);
        else lopt_mlp_any(w, wl, layers, x, MLP_FEATURES + SFL_TIME, out);
        params[i] = params[i] - sm * (out[0] * expf(em * out[1]));
    }
}
