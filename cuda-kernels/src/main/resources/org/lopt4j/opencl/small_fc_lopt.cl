// small_fc_lopt.cl: small_fc_lopt's step (small_fc_lopt.md) over a whole population slab in six launches, whatever the
// number of tensors or members (F32): accumulate (it advances the update counts, or counts a skipped step), row_means,
// feature_sums, learned_feature_scales, learned_time_features and apply. Nothing is read back (LOPT_SKIPS). Built with
// common.cl, learned_rule.cuh (the per-element code small_fc_lopt.cu shares) and learned.cl in front; launched by
// org.lopt4j.opencl.OpenClSmallFcLopt; Java twin org.lopt4j.learned.smallfc.SmallFcLoptRef; tables from
// org.lopt4j.learned.smallfc.FactoredTables. VeLO's program runs accumulate and row_means too (velo.cl builds this in).

// accumulate, one launch of element chunks and accumulator entries (dimension 1: the slab's chunk-table entries, then
// the row accumulator chunk table's, then the column one's); it also advances each tensor's update count (the first
// work-item of the tensor's first chunk) or, when the step is skipped, skips[0]. Element entries: momenta, RMS, and the diagonal
// accumulators of unfactored tensors (x = d*x + (1 - d)*new). Accumulator entries, a work-item per entry of a factored
// tensor: the mean of g² + 1e-30 over axis d0 (rows) or d1 (columns), into the three accumulators. The two parts write
// disjoint state and read only the gradient.
__kernel void small_fc_lopt_accumulate(__global const float* grads, __global float* m0, __global float* m1,
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

// row_means: one work-item per row-mean entry of a factored tensor: the mean of each row accumulator across d1, into
// row_mean (3 blocks of mean_total, decay-major).
__kernel void small_fc_lopt_row_means(__global const float* r0, __global const float* r1, __global const float* r2,
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

// feature_sums: the squares of the 28 features, summed per work-group: group g of chunk c writes
// partials[(c * groups + g) * 28 + q]. Every work-item reaches the barriers (those without an element add zeros);
// scratch holds 28 floats per work-item.
__kernel void small_fc_lopt_feature_sums(__global const float* params, __global const float* grads,
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

// grad_norms (with a gradient norm limit, before accumulate): g^2 summed per work-group, group g of chunk c into
// norm_partials[c * groups + g]; learned_feature_scales then sums them per tensor. A skipped step changes nothing.
__kernel void small_fc_lopt_grad_norms(__global const float* grads, __global float* norm_partials, SFL_TABLE,
                                          __local float* scratch, __global const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    float x[1] = {0.0f};
    if (sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) x[0] = grads[i] * grads[i];
    group_sums(x, 1, scratch, norm_partials + (long)get_global_id(1) * get_num_groups(0) + get_group_id(0));
}

// clip: g <- g * min(1, max_norm / (||g|| + 1e-6)) from its tensor's sum of squares: torch's clip_grad_norm_ on each
// tensor alone (PyLO's max_grad_norm).
__kernel void small_fc_lopt_clip(__global float* grads, __global const float* norm_sums, float max_norm, SFL_TABLE,
                                    __global const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    const float f = fmin(1.0f, max_norm / (sqrt(norm_sums[t]) + 1e-6f));
    if (f != 1.0f) grads[i] = grads[i] * f;
}

// apply: normalized features (learned_feature_scales) and the tensor's time features (learned_time_features) through the member's MLP;
// q = p - step_scale * tensor_steps[t] * dir * exp(exp_mult * mag), p <- q - param_decay * q (PyLO's weight decay, lr * wd).
__kernel void small_fc_lopt_apply(__global float* params, __global const float* grads, __global const float* m0,
                                     __global const float* m1, __global const float* m2, __global const float* v,
                                     __global const float* r0, __global const float* r1, __global const float* r2,
                                     __global const float* c0, __global const float* c1, __global const float* c2,
                                     __global const float* row_mean, int mean_total, __global const int* info,
                                     __global const float* scale, __global const float* theta, int theta_stride,
                                     __global const float* time, int hidden, int layers, float exp_mult,
                                     float step_scale, __global const float* tensor_steps, float param_decay, SFL_TABLE,
                                     __global const float* grad_stats,
                                     int skip_nonfinite) {
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
    const float q = params[i] - (step_scale * tensor_steps[t]) * (out[0] * exp(exp_mult * out[1]));
    params[i] = param_decay != 0.0f ? q - param_decay * q : q;
}
