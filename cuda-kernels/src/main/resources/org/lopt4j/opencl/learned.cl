// learned.cl: the learned optimizers' steps over a whole population slab in a fixed number of launches, whatever the
// number of tensors or members (F32): small_fc_lopt in six, MLPLOpt in four, VeLO in six before its tensor network
// and three after it. Unlike learned.cu, the apply kernels read feature scales and time features that separate passes
// formed: partial sums here are per work-group, and forming a tensor's scales in every work-group from all of them
// costs the square of its group count (a quarter more time on PoCL). Nothing is read back: each tensor's update count
// lives in `count`, and a step with non-finite gradients under the skipping policy changes nothing but skips[0]
// (LOPT_SKIPS). Built with common.cl and learned_rule.cuh (the feature, time-feature, MLP and loss-buffer code the
// CUDA kernels in learned.cu share) in front. Launched by org.lopt4j.opencl.OpenClSmallFcLopt, OpenClMlpLopt and
// OpenClVelo; the Java twins are org.lopt4j.learned.smallfc.SmallFcLoptRef, mlp.MlpLoptRef and velo.VeloRef.
//
// Element kernels use the 2-D NDRange of fused.cl over a chunk table (dimension 1: the entry, dimension 0: the
// position in it). The per-tensor info table (SFL_FIELDS ints per tensor) and the member decays come from
// org.lopt4j.learned.smallfc.FactoredTables.

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

// Pass 1, one launch of element chunks and accumulator entries (dimension 1: the slab's chunk-table entries, then
// the row accumulator chunk table's, then the column one's); it also advances each tensor's update count (the first
// work-item of the tensor's first chunk) or, when the step is skipped, skips[0]. Element entries: momenta, RMS, and the diagonal
// accumulators of unfactored tensors (x = d*x + (1 - d)*new). Accumulator entries, a work-item per entry of a factored
// tensor: the mean of g² + 1e-30 over axis d0 (rows) or d1 (columns), into the three accumulators. The two parts write
// disjoint state and read only the gradient.
__kernel void learned_small_fc_accumulate(__global const float* grads, __global float* m0, __global float* m1,
                                          __global float* m2, __global float* v, __global float* r0, __global float* r1,
                                          __global float* r2, __global float* c0, __global float* c1, __global float* c2,
                                          __global const float* decays, __global const int* info, SFL_TABLE, int chunks,
                                          __global const int* row_tensor_of, __global const int* row_start_of,
                                          int row_chunks, __global const int* col_tensor_of,
                                          __global const int* col_start_of, int aux_chunk, __global float* count,
                                          int count_stride, __global const float* grad_stats, int skip_nonfinite,
                                          __global float* skips) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (get_global_id(0) == 0 && get_global_id(1) == 0) skips[0] += 1.0f;
        return;
    }
    const int entry = (int)get_global_id(1);
    if (entry < chunks) {
        if (get_global_id(0) == 0 && start_of[entry] == 0) count[(long)tensor_of[entry] * count_stride] += 1.0f;
        int t;
        long e, i;
        if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
        __global const int* in = info + t * SFL_FIELDS;
        __global const float* d = decays + in[SFL_MEMBER] * SFL_DECAYS;
        __global const float* om = d + SFL_ONE_MINUS;
        const float g = grads[i];
        m0[i] = d[SFL_MOM] * m0[i] + om[SFL_MOM] * g;
        m1[i] = d[SFL_MOM + 1] * m1[i] + om[SFL_MOM + 1] * g;
        m2[i] = d[SFL_MOM + 2] * m2[i] + om[SFL_MOM + 2] * g;
        v[i] = d[SFL_RMS] * v[i] + om[SFL_RMS] * g * g;
        if (in[SFL_FACTORED]) return;
        const float big = g * g + 1e-30f;
        const long ro = in[SFL_ROW_OFFSET] + e;
        r0[ro] = d[SFL_ADA] * r0[ro] + om[SFL_ADA] * big;
        r1[ro] = d[SFL_ADA + 1] * r1[ro] + om[SFL_ADA + 1] * big;
        r2[ro] = d[SFL_ADA + 2] * r2[ro] + om[SFL_ADA + 2] * big;
        return;
    }
    const int c = entry - chunks, pos = (int)get_global_id(0);
    if (pos >= aux_chunk) return;
    const bool row = c < row_chunks;
    const int t = row ? row_tensor_of[c] : col_tensor_of[c - row_chunks];
    const int j = (row ? row_start_of[c] : col_start_of[c - row_chunks]) + pos;
    __global const int* in = info + t * SFL_FIELDS;
    if (j >= in[row ? SFL_ROWS : SFL_COLS]) return;
    const int lo = in[row ? SFL_LO0 : SFL_LO1], span = in[row ? SFL_SPAN0 : SFL_SPAN1], n = in[row ? SFL_N0 : SFL_N1];
    const long base = (long)offsets[t] + (long)(j / lo) * span + j % lo;
    float sum = 0.0f;
    for (int q = 0; q < n; q++) {
        const float g = grads[base + (long)q * lo];
        sum += g * g + 1e-30f;
    }
    const float mean = sum / (float)n;
    __global const float* d = decays + in[SFL_MEMBER] * SFL_DECAYS;
    __global const float* om = d + SFL_ONE_MINUS;
    const long at = (long)in[row ? SFL_ROW_OFFSET : SFL_COL_OFFSET] + j;
    __global float* a0 = row ? r0 : c0;
    __global float* a1 = row ? r1 : c1;
    __global float* a2 = row ? r2 : c2;
    a0[at] = d[SFL_ADA] * a0[at] + om[SFL_ADA] * mean;
    a1[at] = d[SFL_ADA + 1] * a1[at] + om[SFL_ADA + 1] * mean;
    a2[at] = d[SFL_ADA + 2] * a2[at] + om[SFL_ADA + 2] * mean;
}

// Pass 2: one work-item per row-mean entry of a factored tensor: the mean of each row accumulator across d1, into
// row_mean (3 blocks of mean_total, decay-major).
__kernel void learned_small_fc_row_means(__global const float* r0, __global const float* r1, __global const float* r2,
                                         __global float* row_mean, int mean_total, __global const int* info,
                                         __global const int* mean_tensor_of, __global const int* mean_start_of, int chunk) {
    const int c = (int)get_global_id(1), pos = (int)get_global_id(0);
    if (pos >= chunk) return;
    const int t = mean_tensor_of[c], j = mean_start_of[c] + pos;
    __global const int* in = info + t * SFL_FIELDS;
    if (j >= in[SFL_MEANS]) return;
    const int lo = in[SFL_LOR], n = in[SFL_N1];
    const long base = (long)in[SFL_ROW_OFFSET] + (long)(j / lo) * in[SFL_SPANR] + j % lo;
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f;
    for (int q = 0; q < n; q++) {
        const long at = base + (long)q * lo;
        s0 += r0[at];
        s1 += r1[at];
        s2 += r2[at];
    }
    const long out = (long)in[SFL_MEAN_OFFSET] + j;
    row_mean[out] = s0 / (float)n;
    row_mean[mean_total + out] = s1 / (float)n;
    row_mean[2 * (long)mean_total + out] = s2 / (float)n;
}

// Pass 3: the squares of the 28 features, summed per work-group: group g of chunk c writes
// partials[(c * groups + g) * 28 + q]. Every work-item reaches the barriers (those without an element add zeros);
// scratch holds 28 floats per work-item.
__kernel void learned_small_fc_feature_sums(__global const float* params, __global const float* grads,
                                            __global const float* m0, __global const float* m1, __global const float* m2,
                                            __global const float* v, __global const float* r0, __global const float* r1,
                                            __global const float* r2, __global const float* c0, __global const float* c1,
                                            __global const float* c2, __global const float* row_mean, int mean_total,
                                            __global const int* info, __global float* partials, SFL_TABLE,
                                            __local float* scratch) {
    int t;
    long e, i;
    float x[SFL_FEATURES];
    const bool has = sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i);
    if (has) {
        sfl_load_features(info + t * SFL_FIELDS, (int)e, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                          mean_total, x);
    } else {
        for (int q = 0; q < SFL_FEATURES; q++) x[q] = 0.0f;
    }
    for (int q = 0; q < SFL_FEATURES; q++) x[q] = x[q] * x[q];
    group_sums(x, SFL_FEATURES, scratch, partials + ((long)get_global_id(1) * get_num_groups(0) + get_group_id(0)) * SFL_FEATURES);
}

// Pass 4 (shared with VeLO, which also takes its raw sums from it): one work-item per (tensor, feature): the partials of the tensor's chunks in
// order (chunks first_chunk[t] .. first_chunk[t + 1] - 1, per_chunk rows of `features` each), to
// scale = 1/sqrt(eps + mean square) when normalize is 1, or the plain sum when it is 0.
__kernel void learned_feature_scale(__global const float* partials, int per_chunk, int features, float eps,
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

// Pass 5: normalized features (scales from pass 4) and the tensor's time features through the member's MLP;
// p <- p - step_scale * dir * exp(exp_mult * mag).
__kernel void learned_small_fc_apply(__global float* params, __global const float* grads, __global const float* m0,
                                     __global const float* m1, __global const float* m2, __global const float* v,
                                     __global const float* r0, __global const float* r1, __global const float* r2,
                                     __global const float* c0, __global const float* c1, __global const float* c2,
                                     __global const float* row_mean, int mean_total, __global const int* info,
                                     __global const float* scale, __global const float* theta, int theta_stride,
                                     __global const float* time, int hidden, int layers, float exp_mult,
                                     float step_scale, SFL_TABLE, __global const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    __global const int* in = info + t * SFL_FIELDS;
    const int member = in[SFL_MEMBER];
    float x[SFL_INPUTS], out[2];
    int widths[LOPT_MAX_LAYERS + 1];
    const int weight_layers = sfl_widths(hidden, layers, widths);
    sfl_load_features(in, (int)e, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, x);
    for (int q = 0; q < SFL_FEATURES; q++) x[q] = x[q] * scale[t * SFL_FEATURES + q];
    for (int k = 0; k < SFL_TIME; k++) x[SFL_FEATURES + k] = time[t * SFL_TIME + k];
    __global const float* w = theta + (long)member * theta_stride;
    if (layers == 2 && hidden == 4) sfl_mlp_4(w, x, out);
    else if (layers == 2 && hidden == 32) sfl_mlp_32(w, x, out);
    else lopt_mlp_any(w, widths, weight_layers, x, SFL_INPUTS, out);
    params[i] = params[i] - step_scale * (out[0] * exp(exp_mult * out[1]));
}

// MLPLOpt pass 1: the six momenta m_k = d_k*m_k + (1 - d_k)*g (decays: d_0..d_5, then 1 - each), and the squares of
// the 8 features [g, p, m_0..m_5] (momenta after the update) summed per work-group: group g of chunk c writes
// partials[(c * groups + g) * 8 + q]. Every work-item reaches the barriers. It advances each tensor's update count
// (the first work-item of its first chunk) or, when the step is skipped, skips[0] (the whole launch returns alike).
__kernel void learned_mlp_moments(__global const float* params, __global const float* grads, __global float* m0,
                                  __global float* m1, __global float* m2, __global float* m3, __global float* m4,
                                  __global float* m5, __global const float* decays, __global float* partials,
                                  SFL_TABLE, __local float* scratch, __global float* count, int count_stride,
                                  __global const float* grad_stats, int skip_nonfinite, __global float* skips) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (get_global_id(0) == 0 && get_global_id(1) == 0) skips[0] += 1.0f;
        return;
    }
    if (get_global_id(0) == 0 && start_of[get_global_id(1)] == 0) count[(long)tensor_of[get_global_id(1)] * count_stride] += 1.0f;
    int t;
    long e, i;
    float x[MLP_FEATURES];
    for (int q = 0; q < MLP_FEATURES; q++) x[q] = 0.0f;
    if (sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) {
        __global float* m[MLP_MOMENTA] = {m0, m1, m2, m3, m4, m5};
        const float g = grads[i];
        x[0] = g;
        x[1] = params[i];
        for (int k = 0; k < MLP_MOMENTA; k++) {
            const float mi = decays[k] * m[k][i] + decays[MLP_MOMENTA + k] * g;
            m[k][i] = mi;
            x[2 + k] = mi;
        }
    }
    for (int q = 0; q < MLP_FEATURES; q++) x[q] = x[q] * x[q];
    group_sums(x, MLP_FEATURES, scratch, partials + ((long)get_global_id(1) * get_num_groups(0) + get_group_id(0)) * MLP_FEATURES);
}

// MLPLOpt pass 4: normalized [g, p, m_0..m_5] (scales from learned_feature_scale) and the tensor's 11 time features
// (learned_time_features) go through the member's MLP (tensor t belongs to member t / per_member);
// p <- p - step_mult * dir * exp(exp_mult * mag).
__kernel void learned_mlp_apply(__global float* params, __global const float* grads, __global const float* m0,
                                __global const float* m1, __global const float* m2, __global const float* m3,
                                __global const float* m4, __global const float* m5, __global const float* scale,
                                __global const float* theta, int theta_stride, __global const float* time, __global const int* widths, int layers,
                                int per_member, float exp_mult, float step_mult, SFL_TABLE, __global const float* grad_stats,
                                int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    const int member = t / per_member;
    __global const float* sc = scale + t * MLP_FEATURES;
    __global const float* m[MLP_MOMENTA] = {m0, m1, m2, m3, m4, m5};
    int wl[LOPT_MAX_LAYERS + 1];
    for (int l = 0; l <= layers; l++) wl[l] = widths[l];
    float x[SFL_INPUTS], out[2];
    x[0] = grads[i] * sc[0];
    x[1] = params[i] * sc[1];
    for (int k = 0; k < MLP_MOMENTA; k++) x[2 + k] = m[k][i] * sc[2 + k];
    for (int k = 0; k < SFL_TIME; k++) x[MLP_FEATURES + k] = time[t * SFL_TIME + k];
    __global const float* w = theta + (long)member * theta_stride;
    if (layers == 3 && wl[0] == 19 && wl[1] == 32 && wl[2] == 32) mlp_mlp_32(w, x, out);
    else lopt_mlp_any(w, wl, layers, x, MLP_FEATURES + SFL_TIME, out);
    params[i] = params[i] - step_mult * (out[0] * exp(exp_mult * out[1]));
}

// VeLO's loss buffers, one work-item per tensor: each tensor's buffer (its member's) takes the member's loss; its 9
// loss features go to loss_features and whether it was fresh to fresh (a skipped step leaves the buffer and says not
// fresh; the accumulate pass counts the skip).
__kernel void learned_velo_loss_features(__global float* loss_buffer, int loss_stride, __global const float* losses,
                                         __global float* loss_features, __global float* fresh, __global const int* info,
                                         int num_steps, __global const float* grad_stats, int skip_nonfinite,
                                         int tensors) {
    const int t = (int)get_global_id(0);
    if (t >= tensors) return;
    float f[VELO_LOSS_FEATURES];
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        fresh[t] = 0.0f;
        return;
    }
    fresh[t] = (float)velo_loss_step(loss_buffer + (long)t * loss_stride, losses[info[t * SFL_FIELDS + SFL_MEMBER]],
                                     num_steps, f);
    for (int i = 0; i < VELO_LOSS_FEATURES; i++) loss_features[t * VELO_LOSS_FEATURES + i] = f[i];
}

// VeLO's 30 LSTM inputs and parameter scale of each tensor, one work-item per tensor, from its statistics, loss
// features and training fraction (update count before this step, count - 1 after the accumulate pass, / num_steps).
__kernel void learned_velo_lstm_features(__global const float* stats, __global const float* loss_features,
                                         __global const float* count, int count_stride, __global const int* info,
                                         __global const int* sizes, int num_steps, __global float* lstm_inputs,
                                         __global float* param_scale, int tensors) {
    const int t = (int)get_global_id(0);
    if (t >= tensors) return;
    float x[VELO_LSTM_INPUTS];
    const float frac = (count[(long)t * count_stride] - 1.0f) / (float)num_steps;
    param_scale[t] = velo_lstm_inputs(stats + t * VELO_STATS, sizes[t], frac, loss_features + t * VELO_LOSS_FEATURES,
                                      info[t * SFL_FIELDS + SFL_BIG_DIMS], x);
    for (int q = 0; q < VELO_LSTM_INPUTS; q++) lstm_inputs[t * VELO_LSTM_INPUTS + q] = x[q];
}

// VeLO pass 1 (on the state before the update): per work-group, the sums of p², v, v², and m_k, m_k² for k = 0..2,
// into partials[(c * groups + g) * 9 + q].
__kernel void learned_velo_stats(__global const float* params, __global const float* v, __global const float* m0,
                                 __global const float* m1, __global const float* m2, __global float* partials,
                                 SFL_TABLE, __local float* scratch) {
    int t;
    long e, i;
    float x[VELO_STATS];
    for (int q = 0; q < VELO_STATS; q++) x[q] = 0.0f;
    if (sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) {
        const float p = params[i], vi = v[i], a = m0[i], b = m1[i], c = m2[i];
        x[0] = p * p;
        x[1] = vi;
        x[2] = vi * vi;
        x[3] = a;
        x[4] = a * a;
        x[5] = b;
        x[6] = b * b;
        x[7] = c;
        x[8] = c * c;
    }
    group_sums(x, VELO_STATS, scratch, partials + ((long)get_global_id(1) * get_num_groups(0) + get_group_id(0)) * VELO_STATS);
}

// VeLO: the squares of the 30 MLP features summed per work-group (grads: the clipped gradient; accumulators updated).
__kernel void learned_velo_feature_sums(__global const float* params, __global const float* grads,
                                        __global const float* m0, __global const float* m1, __global const float* m2,
                                        __global const float* v, __global const float* r0, __global const float* r1,
                                        __global const float* r2, __global const float* c0, __global const float* c1,
                                        __global const float* c2, __global const float* row_mean, int mean_total,
                                        __global const int* info, __global float* partials, SFL_TABLE,
                                        __local float* scratch) {
    int t;
    long e, i;
    float x[VELO_FEATURES];
    if (sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) {
        velo_load_features(info + t * SFL_FIELDS, (int)e, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                           mean_total, x);
        for (int q = 0; q < VELO_FEATURES; q++) x[q] = x[q] * x[q];
    } else {
        for (int q = 0; q < VELO_FEATURES; q++) x[q] = 0.0f;
    }
    group_sums(x, VELO_FEATURES, scratch, partials + ((long)get_global_id(1) * get_num_groups(0) + get_group_id(0)) * VELO_FEATURES);
}

// VeLO's apply: normalized features through tensor t's mixed MLP (mixed + t * VELO_MLP, 30 -> 4 -> 4 -> 3);
// p <- p - step[t] * out0 * exp(0.001 * out1).
__kernel void learned_velo_apply(__global float* params, __global const float* grads, __global const float* m0,
                                 __global const float* m1, __global const float* m2, __global const float* v,
                                 __global const float* r0, __global const float* r1, __global const float* r2,
                                 __global const float* c0, __global const float* c1, __global const float* c2,
                                 __global const float* row_mean, int mean_total, __global const int* info,
                                 __global const float* scale, __global const float* mixed, __global const float* step,
                                 SFL_TABLE, __global const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    float x[VELO_FEATURES], out[2];
    velo_load_features(info + t * SFL_FIELDS, (int)e, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                       mean_total, x);
    for (int q = 0; q < VELO_FEATURES; q++) x[q] = x[q] * scale[t * VELO_FEATURES + q];
    velo_mlp(mixed + (long)t * VELO_MLP, x, out);
    params[i] = params[i] - step[t] * (out[0] * exp(0.001f * out[1]));
}
