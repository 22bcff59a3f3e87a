// small_fc_lopt.cu: small_fc_lopt's step (small_fc_lopt.md) over a whole population slab in four launches (six with a
// gradient norm limit: grad_norms and clip first), whatever the
// number of tensors or members (F32): accumulate (momenta, RMS, accumulators; it advances the update counts),
// row_means, feature_sums (per-chunk partial sums of the 28 features' squares) and apply (each block forms its tensor's
// feature scales and time features, then every element goes through its member's MLP). VeLO runs accumulate and
// row_means too. Nothing is read back: a step with non-finite gradients under the skipping policy changes nothing but
// the skip count (LOPT_SKIPS). The per-element code is learned_rule.cuh, which the OpenCL program small_fc_lopt.cl
// shares. Java twin: org.lopt4j.learned.smallfc.SmallFcLoptRef; launcher: org.lopt4j.cuda.CudaSmallFcLopt; tables:
// org.lopt4j.learned.smallfc.FactoredTables. Element kernels take one block per chunk-table entry (fused.cuh); scalars
// arrive in double.
#include "fused.cuh"
#include "learned_rule.cuh"
#include "learned.cuh"

// accumulate, one launch of element chunks and accumulator entries; it also advances each tensor's update count (the
// block of the tensor's first chunk) or, when the step is skipped, skips[0]. Blocks [0, chunks) take one chunk-table entry each:
// momenta, RMS, and the diagonal accumulators of unfactored tensors (x = d*x + (1 - d)*new). The blocks after them
// take one entry of the row accumulator chunk table, then of the column one, a thread per accumulator entry of a
// factored tensor: the mean of g² + 1e-30 over axis d0 (rows) or d1 (columns), into the three accumulators. The two
// parts write disjoint state (diagonal accumulators belong to unfactored tensors only) and read only the gradient.
extern "C" __global__ void small_fc_lopt_accumulate(const float* grads, float* m0, float* m1, float* m2, float* v,
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

// row_means: one block per row-mean chunk entry, a thread per row-mean entry of a factored tensor: each row accumulator's
// mean across d1, into row_mean (3 blocks of mean_total, decay-major).
extern "C" __global__ void small_fc_lopt_row_means(const float* r0, const float* r1, const float* r2,
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

// feature_sums: the squares of the 28 features summed per block (one partial row of 28 per chunk-table entry).
extern "C" __global__ void small_fc_lopt_feature_sums(const float* params, const float* grads, const float* m0,
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

// grad_norms (with a gradient norm limit, before accumulate): the sum of g^2 of each chunk-table entry, one float per
// entry. A step the policy skips changes nothing.
extern "C" __global__ void small_fc_lopt_grad_norms(const float* grads, float* norm_partials, const int* tensor_of,
                                                      const int* start_of, const int* offsets, const int* sizes, int chunk,
                                                      const float* grad_stats, int skip_nonfinite) {
    __shared__ float warp_sums[32][1];
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    float acc[1] = {0.f};
    CHUNK_LOOP(i, begin, end) acc[0] += grads[i] * grads[i];
    block_sums<1>(acc, warp_sums, norm_partials + blockIdx.x);
}

// clip: each block sums its tensor's chunk sums in table order and scales its chunk's gradient by
// min(1, max_norm / (||g|| + 1e-6)) in place: torch's clip_grad_norm_ on each tensor alone (PyLO's max_grad_norm).
extern "C" __global__ void small_fc_lopt_clip(float* grads, const float* norm_partials, const int* first_chunk, double max_norm,
                                                const int* tensor_of, const int* start_of, const int* offsets, const int* sizes,
                                                int chunk, const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    float sum = 0.f;
    for (int c = first_chunk[t]; c < first_chunk[t + 1]; c++) sum += norm_partials[c];
    const float f = fminf(1.0f, (float)max_norm / (sqrtf(sum) + 1e-6f));
    if (f == 1.0f) return;
    CHUNK_LOOP(i, begin, end) grads[i] = grads[i] * f;
}

// apply: normalized features (scales formed per block) and the time features of the tensor's update count before
// this step (count - 1, accumulate having advanced it) through the member's MLP; q = p - step_scale * tensor_steps[t] * dir *
// exp(exp_mult * mag), p <- q - param_decay * q (PyLO's weight decay, lr * wd).
extern "C" __global__ void small_fc_lopt_apply(float* params, const float* grads, const float* m0, const float* m1,
                                                  const float* m2, const float* v, const float* r0, const float* r1,
                                                  const float* r2, const float* c0, const float* c1, const float* c2,
                                                  const float* row_mean, int mean_total, const int* info,
                                                  const float* partials, int per_chunk, const int* first_chunk,
                                                  const float* theta, int theta_stride,
                                                  const float* count, int count_stride, int hidden, int layers, double exp_mult,
                                                  double step_scale, const float* tensor_steps, double param_decay, const int* tensor_of,
                                                  const int* start_of, const int* offsets, const int* sizes, int chunk,
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
    const float em = (float)exp_mult, ss = (float)step_scale * tensor_steps[t], pd = (float)param_decay;
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
        const float q = params[i] - ss * (out[0] * expf(em * out[1]));
        params[i] = pd != 0.0f ? q - pd * q : q;
    }
}
