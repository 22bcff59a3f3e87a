// velo.cu: VeLO's passes (velo.md) over a whole population slab, whatever the number of tensors or members (F32):
// before its tensor network loss_features (the loss buffers), stats and stats_sums (the statistics of the state
// before the update), small_fc_lopt's accumulate and row_means (small_fc_lopt.cu, with VeLO's fixed decays) and
// lstm_features (the 30 LSTM inputs per tensor); after it feature_sums and apply (each tensor's mixed MLP). Nothing is
// read back: a skipped step changes nothing (LOPT_SKIPS; small_fc_lopt_accumulate counts it). The per-element and
// per-tensor code is learned_rule.cuh, which the OpenCL program velo.cl shares. Java twins:
// org.lopt4j.learned.velo.VeloRef and VeloRefPasses; launcher: org.lopt4j.cuda.CudaVelo.
#include "fused.cuh"
#include "learned_rule.cuh"
#include "learned.cuh"

// VeLO's loss buffers, one thread per tensor: each tensor's buffer (its member's) takes the member's loss; its 9 loss
// features go to loss_features and whether it was fresh to fresh (a skipped step leaves the buffer and says not
// fresh; the accumulate pass counts the skip).
extern "C" __global__ void velo_loss_features(float* loss_buffer, int loss_stride, const float* losses,
                                                      float* loss_features, float* fresh, const int* info,
                                                      int num_steps, const float* grad_stats, int skip_nonfinite,
                                                      int tensors) {
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= tensors) return;
    float f[VELO_LOSS_FEATURES];
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        fresh[t] = 0.0f;
        return;
    }
    fresh[t] = (float)velo_loss_step(loss_buffer + (long long)t * loss_stride, losses[info[t * SFL_FIELDS + SFL_MEMBER]],
                                     num_steps, f);
    for (int i = 0; i < VELO_LOSS_FEATURES; i++) loss_features[t * VELO_LOSS_FEATURES + i] = f[i];
}

// stats (on the state before the update): per block, the sums of p², v, v², and m_k, m_k² for k = 0..2, the
// statistics of the LSTM features (velo.md section 5), into partials (9 per chunk entry).
extern "C" __global__ void velo_stats(const float* params, const float* v, const float* m0, const float* m1,
                                              const float* m2, float* partials, const int* tensor_of,
                                              const int* start_of, const int* offsets, const int* sizes, int chunk) {
    __shared__ float warp_sums[32][VELO_STATS];
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    float acc[VELO_STATS];
    for (int q = 0; q < VELO_STATS; q++) acc[q] = 0.f;
    CHUNK_LOOP(i, begin, end) {
        const float p = params[i], vi = v[i], a = m0[i], b = m1[i], c = m2[i];
        acc[0] += p * p;
        acc[1] += vi;
        acc[2] += vi * vi;
        acc[3] += a;
        acc[4] += a * a;
        acc[5] += b;
        acc[6] += b * b;
        acc[7] += c;
        acc[8] += c * c;
    }
    block_sums<VELO_STATS>(acc, warp_sums, partials + (long long)blockIdx.x * VELO_STATS);
}

// stats_sums: one thread per (tensor, statistic): the partials of the tensor's chunks in order (chunks
// first_chunk[t] .. first_chunk[t + 1] - 1, per_chunk rows of VELO_STATS each) summed into stats.
extern "C" __global__ void velo_stats_sums(const float* partials, int per_chunk, const int* first_chunk, const int* sizes,
                                           float* stats, int tensors) {
    const int id = blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= tensors * VELO_STATS) return;
    const int t = id / VELO_STATS, q = id % VELO_STATS;
    stats[id] = lopt_tensor_scale(partials, per_chunk, VELO_STATS, q, first_chunk[t], first_chunk[t + 1], sizes[t], 0.0f, 0);
}

// VeLO's 30 LSTM inputs and parameter scale of each tensor, one thread per tensor, from its statistics (stats), loss
// features and training fraction (update count before this step, count - 1 after the accumulate pass, / num_steps).
extern "C" __global__ void velo_lstm_features(const float* stats, const float* loss_features, const float* count,
                                                      int count_stride, const int* info, const int* sizes, int num_steps,
                                                      float* lstm_inputs, float* param_scale, int tensors) {
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= tensors) return;
    float x[VELO_LSTM_INPUTS];
    const float frac = (count[(long long)t * count_stride] - 1.0f) / (float)num_steps;
    param_scale[t] = velo_lstm_inputs(stats + t * VELO_STATS, sizes[t], frac, loss_features + t * VELO_LOSS_FEATURES,
                                      info[t * SFL_FIELDS + SFL_BIG_DIMS], x);
    for (int q = 0; q < VELO_LSTM_INPUTS; q++) lstm_inputs[t * VELO_LSTM_INPUTS + q] = x[q];
}

// feature_sums: the squares of the 30 MLP features summed per block (one partial row of 30 per chunk-table entry); grads is
// the clipped gradient, the accumulators already updated.
extern "C" __global__ void velo_feature_sums(const float* params, const float* grads, const float* m0,
                                                     const float* m1, const float* m2, const float* v, const float* r0,
                                                     const float* r1, const float* r2, const float* c0,
                                                     const float* c1, const float* c2, const float* row_mean,
                                                     int mean_total, const int* info, float* partials,
                                                     const int* tensor_of, const int* start_of, const int* offsets,
                                                     const int* sizes, int chunk) {
    __shared__ float warp_sums[32][VELO_FEATURES];
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    const int* in = info + t * SFL_FIELDS;
    float acc[VELO_FEATURES], x[VELO_FEATURES];
    for (int q = 0; q < VELO_FEATURES; q++) acc[q] = 0.f;
    CHUNK_LOOP(i, begin, end) {
        velo_load_features(in, (int)(i - offsets[t]), i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                           mean_total, x);
        for (int q = 0; q < VELO_FEATURES; q++) acc[q] += x[q] * x[q];
    }
    block_sums<VELO_FEATURES>(acc, warp_sums, partials + (long long)blockIdx.x * VELO_FEATURES);
}

// apply: normalized features through tensor t's mixed MLP (mixed + t * VELO_MLP, 30 -> 4 -> 4 -> 3);
// q = p - lr * step[t] * out0 * exp(0.001 * out1), step[t] = lr multiplier * parameter scale * 0.001; p <- q - param_decay * q.
extern "C" __global__ void velo_apply(float* params, const float* grads, const float* m0, const float* m1,
                                              const float* m2, const float* v, const float* r0, const float* r1,
                                              const float* r2, const float* c0, const float* c1, const float* c2,
                                              const float* row_mean, int mean_total, const int* info,
                                              const float* partials, int per_chunk, const int* first_chunk,
                                              const float* mixed, const float* step, double lr, double param_decay,
                                              const int* tensor_of, const int* start_of, const int* offsets,
                                              const int* sizes, int chunk, const float* grad_stats,
                                              int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    const int* in = info + t * SFL_FIELDS;
    const float* w = mixed + (long long)t * VELO_MLP;
    __shared__ float sc[VELO_FEATURES];
    tensor_scales(sc, VELO_FEATURES, partials, per_chunk, first_chunk, sizes, t);
    const float st = (float)lr * step[t], pd = (float)param_decay;
    float x[VELO_FEATURES], out[2];
    CHUNK_LOOP(i, begin, end) {
        velo_load_features(in, (int)(i - offsets[t]), i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                           mean_total, x);
        for (int q = 0; q < VELO_FEATURES; q++) x[q] = x[q] * sc[q];
        velo_mlp(w, x, out);
        const float q = params[i] - st * (out[0] * expf(0.001f * out[1]));
        params[i] = pd != 0.0f ? q - pd * q : q;
    }
}
