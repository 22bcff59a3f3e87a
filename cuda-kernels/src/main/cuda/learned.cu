// learned.cu: the learned optimizers' steps over a whole population slab in a fixed number of launches, whatever the
// number of tensors or members (F32): small_fc_lopt in four (learned_small_fc_*), MLPLOpt in two (learned_mlp_*),
// VeLO in six before its tensor network (learned_velo_loss_features, learned_velo_stats, learned_feature_scale for
// its raw sums, small_fc_lopt's two accumulator passes, learned_velo_lstm_features) and two after it
// (learned_velo_feature_sums, learned_velo_apply). The apply kernels form their tensor's feature scales and time
// features per block. Nothing is read back: each tensor's update count lives in `count` (advanced by the accumulate
// pass of a step), and a step with non-finite gradients under the skipping policy changes nothing but skips[0]
// (LOPT_SKIPS; the accumulate pass counts it). The per-element features, time features, MLPs and VeLO's loss buffer are learned_rule.cuh, which the
// OpenCL program learned.cl shares (so PoCL's parity tests run the same code). Java twins:
// org.lopt4j.learned.smallfc.SmallFcLoptRef, mlp.MlpLoptRef and velo.VeloRef; launchers: org.lopt4j.cuda.CudaSmallFcLopt,
// CudaMlpLopt and CudaVelo; tables: org.lopt4j.learned.smallfc.FactoredTables and mlp.MlpLoptTables. Element kernels
// take one block per chunk-table entry (fused.cuh). Scalars arrive in double.
#include "fused.cuh"
#include "learned_rule.cuh"

// Tensor t's `features` feature scales into sc (shared), from the partial sums of squares of its chunks
// (lopt_tensor_scale: the sums learned_feature_scale forms, in the same order). Every thread of the block must call it.
__device__ __forceinline__ void tensor_scales(float* sc, int features, const float* partials, int per_chunk,
                                              const int* first_chunk, const int* sizes, int t) {
    for (int q = threadIdx.x; q < features; q += blockDim.x) {
        sc[q] = lopt_tensor_scale(partials, per_chunk, features, q, first_chunk[t], first_chunk[t + 1], sizes[t], 1e-5f, 1);
    }
    __syncthreads();
}

// Adds each thread's acc[0..N) over the block (warp shuffles, then the warps' sums in order) into out[0..N); the
// block size is a multiple of 32, at most 1024.
template <int N>
__device__ __forceinline__ void block_sums(const float* acc, float (*warp_sums)[N], float* out) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int q = 0; q < N; q++) {
        float s = acc[q];
        for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
        if (lane == 0) warp_sums[warp][q] = s;
    }
    __syncthreads();
    if (threadIdx.x < N) {
        float s = 0.f;
        for (int w = 0; w < warps; w++) s += warp_sums[w][threadIdx.x];
        out[threadIdx.x] = s;
    }
}

// Pass 1, one launch of element chunks and accumulator entries; it also advances each tensor's update count (the
// block of the tensor's first chunk) or, when the step is skipped, skips[0]. Blocks [0, chunks) take one chunk-table entry each:
// momenta, RMS, and the diagonal accumulators of unfactored tensors (x = d*x + (1 - d)*new). The blocks after them
// take one entry of the row accumulator chunk table, then of the column one, a thread per accumulator entry of a
// factored tensor: the mean of g² + 1e-30 over axis d0 (rows) or d1 (columns), into the three accumulators. The two
// parts write disjoint state (diagonal accumulators belong to unfactored tensors only) and read only the gradient.
extern "C" __global__ void learned_small_fc_accumulate(const float* grads, float* m0, float* m1, float* m2, float* v,
                                                       float* r0, float* r1, float* r2, float* c0, float* c1,
                                                       float* c2, const float* decays, const int* info,
                                                       const int* tensor_of, const int* start_of, const int* offsets,
                                                       const int* sizes, int chunk, int chunks,
                                                       const int* row_tensor_of, const int* row_start_of,
                                                       int row_chunks, const int* col_tensor_of,
                                                       const int* col_start_of, int aux_chunk, float* count,
                                                       int count_stride, const float* grad_stats, int skip_nonfinite,
                                                       float* skips) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (blockIdx.x == 0 && threadIdx.x == 0) skips[0] += 1.0f;
        return;
    }
    if ((int)blockIdx.x < chunks) {
        long long begin, end;
        chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
        const int t = tensor_of[blockIdx.x];
        if (threadIdx.x == 0 && start_of[blockIdx.x] == 0) count[(long long)t * count_stride] += 1.0f;
        const int* in = info + t * SFL_FIELDS;
        const float* d = decays + in[SFL_MEMBER] * SFL_DECAYS;
        const float* om = d + SFL_ONE_MINUS;
        const bool factored = in[SFL_FACTORED] != 0;
        const long long row_base = (long long)in[SFL_ROW_OFFSET] - offsets[t];
        CHUNK_LOOP(i, begin, end) {
            const float g = grads[i];
            m0[i] = d[SFL_MOM] * m0[i] + om[SFL_MOM] * g;
            m1[i] = d[SFL_MOM + 1] * m1[i] + om[SFL_MOM + 1] * g;
            m2[i] = d[SFL_MOM + 2] * m2[i] + om[SFL_MOM + 2] * g;
            v[i] = d[SFL_RMS] * v[i] + om[SFL_RMS] * g * g;
            if (factored) continue;
            const float big = g * g + 1e-30f;
            const long long ro = row_base + i;
            r0[ro] = d[SFL_ADA] * r0[ro] + om[SFL_ADA] * big;
            r1[ro] = d[SFL_ADA + 1] * r1[ro] + om[SFL_ADA + 1] * big;
            r2[ro] = d[SFL_ADA + 2] * r2[ro] + om[SFL_ADA + 2] * big;
        }
        return;
    }
    const int c = blockIdx.x - chunks;
    const bool row = c < row_chunks;
    const int t = row ? row_tensor_of[c] : col_tensor_of[c - row_chunks];
    const int start = row ? row_start_of[c] : col_start_of[c - row_chunks];
    const int* in = info + t * SFL_FIELDS;
    const int entries = in[row ? SFL_ROWS : SFL_COLS], stop = start + aux_chunk < entries ? start + aux_chunk : entries;
    const int lo = in[row ? SFL_LO0 : SFL_LO1], span = in[row ? SFL_SPAN0 : SFL_SPAN1], n = in[row ? SFL_N0 : SFL_N1];
    const float* d = decays + in[SFL_MEMBER] * SFL_DECAYS;
    const float* om = d + SFL_ONE_MINUS;
    float* a0 = row ? r0 : c0;
    float* a1 = row ? r1 : c1;
    float* a2 = row ? r2 : c2;
    for (int j = start + threadIdx.x; j < stop; j += blockDim.x) {
        const long long base = (long long)offsets[t] + (long long)(j / lo) * span + j % lo;
        float sum = 0.f;
        for (int q = 0; q < n; q++) {
            const float g = grads[base + (long long)q * lo];
            sum += g * g + 1e-30f;
        }
        const float mean = sum / (float)n;
        const long long at = (long long)in[row ? SFL_ROW_OFFSET : SFL_COL_OFFSET] + j;
        a0[at] = d[SFL_ADA] * a0[at] + om[SFL_ADA] * mean;
        a1[at] = d[SFL_ADA + 1] * a1[at] + om[SFL_ADA + 1] * mean;
        a2[at] = d[SFL_ADA + 2] * a2[at] + om[SFL_ADA + 2] * mean;
    }
}

// Pass 2: one block per row-mean chunk entry, a thread per row-mean entry of a factored tensor: each row accumulator's
// mean across d1, into row_mean (3 blocks of mean_total, decay-major).
extern "C" __global__ void learned_small_fc_row_means(const float* r0, const float* r1, const float* r2,
                                                      float* row_mean, int mean_total, const int* info,
                                                      const int* mean_tensor_of, const int* mean_start_of, int chunk) {
    const int t = mean_tensor_of[blockIdx.x], start = mean_start_of[blockIdx.x];
    const int* in = info + t * SFL_FIELDS;
    const int count = in[SFL_MEANS], stop = start + chunk < count ? start + chunk : count;
    const int lo = in[SFL_LOR], n = in[SFL_N1];
    for (int j = start + threadIdx.x; j < stop; j += blockDim.x) {
        const long long base = (long long)in[SFL_ROW_OFFSET] + (long long)(j / lo) * in[SFL_SPANR] + j % lo;
        float s0 = 0.f, s1 = 0.f, s2 = 0.f;
        for (int q = 0; q < n; q++) {
            const long long at = base + (long long)q * lo;
            s0 += r0[at];
            s1 += r1[at];
            s2 += r2[at];
        }
        const long long out = (long long)in[SFL_MEAN_OFFSET] + j;
        row_mean[out] = s0 / (float)n;
        row_mean[mean_total + out] = s1 / (float)n;
        row_mean[2 * (long long)mean_total + out] = s2 / (float)n;
    }
}

// Pass 3: the squares of the 28 features summed per block (one partial row of 28 per chunk-table entry).
extern "C" __global__ void learned_small_fc_feature_sums(const float* params, const float* grads, const float* m0,
                                                         const float* m1, const float* m2, const float* v,
                                                         const float* r0, const float* r1, const float* r2,
                                                         const float* c0, const float* c1, const float* c2,
                                                         const float* row_mean, int mean_total, const int* info,
                                                         float* partials, const int* tensor_of, const int* start_of,
                                                         const int* offsets, const int* sizes, int chunk) {
    __shared__ float warp_sums[32][SFL_FEATURES];
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    const int* in = info + t * SFL_FIELDS;
    float acc[SFL_FEATURES], x[SFL_FEATURES];
    for (int q = 0; q < SFL_FEATURES; q++) acc[q] = 0.f;
    CHUNK_LOOP(i, begin, end) {
        sfl_load_features(in, (int)(i - offsets[t]), i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                          mean_total, x);
        for (int q = 0; q < SFL_FEATURES; q++) acc[q] += x[q] * x[q];
    }
    block_sums<SFL_FEATURES>(acc, warp_sums, partials + (long long)blockIdx.x * SFL_FEATURES);
}

// VeLO's raw sums (and a feature-scale pass for other uses): one thread per (tensor, feature): the partials of the tensor's chunks in order
// (chunks first_chunk[t] .. first_chunk[t + 1] - 1, per_chunk rows of `features` each), to
// scale = 1/sqrt(eps + mean square) when normalize is 1, or the plain sum when it is 0.
extern "C" __global__ void learned_feature_scale(const float* partials, int per_chunk, int features, double eps,
                                                 int normalize, const int* first_chunk, const int* sizes, float* scale,
                                                 int tensors) {
    const int id = blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= tensors * features) return;
    const int t = id / features, q = id % features;
    scale[id] = lopt_tensor_scale(partials, per_chunk, features, q, first_chunk[t], first_chunk[t + 1], sizes[t],
                                  (float)eps, normalize);
}

// Pass 4: normalized features (scales formed per block) and the time features of the tensor's update count before
// this step (count - 1, pass 1 having advanced it) through the member's MLP; p <- p - step_scale * dir * exp(exp_mult
// * mag).
extern "C" __global__ void learned_small_fc_apply(float* params, const float* grads, const float* m0, const float* m1,
                                                  const float* m2, const float* v, const float* r0, const float* r1,
                                                  const float* r2, const float* c0, const float* c1, const float* c2,
                                                  const float* row_mean, int mean_total, const int* info,
                                                  const float* partials, int per_chunk, const int* first_chunk,
                                                  const float* theta, int theta_stride,
                                                  const float* count, int count_stride, int hidden, int layers, double exp_mult,
                                                  double step_scale, const int* tensor_of, const int* start_of,
                                                  const int* offsets, const int* sizes, int chunk,
                                                  const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    __shared__ float sc[SFL_FEATURES], time[SFL_TIME];
    if (threadIdx.x < SFL_TIME) time[threadIdx.x] = lopt_time_feature(count[(long long)t * count_stride] - 1.0f, threadIdx.x);
    tensor_scales(sc, SFL_FEATURES, partials, per_chunk, first_chunk, sizes, t);
    const int* in = info + t * SFL_FIELDS;
    const int member = in[SFL_MEMBER];
    const float* w = theta + (long long)member * theta_stride;
    const float em = (float)exp_mult, ss = (float)step_scale;
    float x[SFL_INPUTS], out[2];
    int widths[LOPT_MAX_LAYERS + 1];
    const int weight_layers = sfl_widths(hidden, layers, widths);
    CHUNK_LOOP(i, begin, end) {
        sfl_load_features(in, (int)(i - offsets[t]), i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                          mean_total, x);
        for (int q = 0; q < SFL_FEATURES; q++) x[q] = x[q] * sc[q];
        for (int k = 0; k < SFL_TIME; k++) x[SFL_FEATURES + k] = time[k];
        if (layers == 2 && hidden == 4) sfl_mlp_4(w, x, out);
        else if (layers == 2 && hidden == 32) sfl_mlp_32(w, x, out);
        else lopt_mlp_any(w, widths, weight_layers, x, SFL_INPUTS, out);
        params[i] = params[i] - ss * (out[0] * expf(em * out[1]));
    }
}

// MLPLOpt pass 1: the six momenta m_k = d_k*m_k + (1 - d_k)*g (decays: d_0..d_5, then 1 - each), and the squares of
// the 8 features [g, p, m_0..m_5] (momenta after the update) summed per block into partials (8 per chunk entry); it
// advances each tensor's update count (the block of its first chunk) or, when the step is skipped, skips[0].
extern "C" __global__ void learned_mlp_moments(const float* params, const float* grads, float* m0, float* m1, float* m2,
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

// MLPLOpt pass 2: each block first forms its tensor's 8 feature scales from the partials of pass 1 (the same sums in
// the same order as learned_feature_scale) and its 11 time features (update count before this step), then normalized
// [g, p, m_0..m_5] and the time features go through the member's MLP (tensor t belongs to member t / per_member);
// p <- p - step_mult * dir * exp(exp_mult * mag).
extern "C" __global__ void learned_mlp_apply(float* params, const float* grads, const float* m0, const float* m1,
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

// VeLO's loss buffers, one thread per tensor: each tensor's buffer (its member's) takes the member's loss; its 9 loss
// features go to loss_features and whether it was fresh to fresh (a skipped step leaves the buffer and says not
// fresh; the accumulate pass counts the skip).
extern "C" __global__ void learned_velo_loss_features(float* loss_buffer, int loss_stride, const float* losses,
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

// VeLO's 30 LSTM inputs and parameter scale of each tensor, one thread per tensor, from its statistics (stats), loss
// features and training fraction (update count before this step, count - 1 after the accumulate pass, / num_steps).
extern "C" __global__ void learned_velo_lstm_features(const float* stats, const float* loss_features, const float* count,
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

// VeLO pass 1 (on the state before the update): per block, the sums of p², v, v², and m_k, m_k² for k = 0..2, the
// statistics of the LSTM features (velo.md section 5), into partials (9 per chunk entry).
extern "C" __global__ void learned_velo_stats(const float* params, const float* v, const float* m0, const float* m1,
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

// VeLO: the squares of the 30 MLP features summed per block (one partial row of 30 per chunk-table entry); grads is
// the clipped gradient, the accumulators already updated.
extern "C" __global__ void learned_velo_feature_sums(const float* params, const float* grads, const float* m0,
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

// VeLO's apply: normalized features through tensor t's mixed MLP (mixed + t * VELO_MLP, 30 -> 4 -> 4 -> 3);
// p <- p - step[t] * out0 * exp(0.001 * out1), step[t] = lr multiplier * parameter scale * 0.001.
extern "C" __global__ void learned_velo_apply(float* params, const float* grads, const float* m0, const float* m1,
                                              const float* m2, const float* v, const float* r0, const float* r1,
                                              const float* r2, const float* c0, const float* c1, const float* c2,
                                              const float* row_mean, int mean_total, const int* info,
                                              const float* partials, int per_chunk, const int* first_chunk,
                                              const float* mixed, const float* step,
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
    const float st = step[t];
    float x[VELO_FEATURES], out[2];
    CHUNK_LOOP(i, begin, end) {
        velo_load_features(in, (int)(i - offsets[t]), i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                           mean_total, x);
        for (int q = 0; q < VELO_FEATURES; q++) x[q] = x[q] * sc[q];
        velo_mlp(w, x, out);
        params[i] = params[i] - st * (out[0] * expf(0.001f * out[1]));
    }
}
