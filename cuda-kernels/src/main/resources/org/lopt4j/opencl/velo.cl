// velo.cl: VeLO's passes (velo.md) over a whole population slab, whatever the number of tensors or members (F32):
// before its tensor network loss_features, stats and learned_feature_scales (the statistics' plain sums),
// small_fc_lopt's accumulate and row_means (built in from small_fc_lopt.cl) and lstm_features; after it feature_sums,
// learned_feature_scales and apply. Nothing is read back (LOPT_SKIPS; small_fc_lopt_accumulate counts a skipped step).
// Built with common.cl, learned_rule.cuh (shared with velo.cu), learned.cl and small_fc_lopt.cl in front; launched by
// org.lopt4j.opencl.OpenClVelo; Java twins org.lopt4j.learned.velo.VeloRef and VeloRefPasses.

// VeLO's loss buffers, one work-item per tensor: each tensor's buffer (its member's) takes the member's loss; its 9
// loss features go to loss_features and whether it was fresh to fresh (a skipped step leaves the buffer and says not
// fresh; the accumulate pass counts the skip).
__kernel void velo_loss_features(__global float* loss_buffer, int loss_stride, __global const float* losses,
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

// stats (on the state before the update): per work-group, the sums of p², v, v², and m_k, m_k² for k = 0..2,
// into partials[(c * groups + g) * 9 + q].
__kernel void velo_stats(__global const float* params, __global const float* v, __global const float* m0,
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

// VeLO's 30 LSTM inputs and parameter scale of each tensor, one work-item per tensor, from its statistics, loss
// features and training fraction (update count before this step, count - 1 after the accumulate pass, / num_steps).
__kernel void velo_lstm_features(__global const float* stats, __global const float* loss_features,
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

// feature_sums: the squares of the 30 MLP features summed per work-group (grads: the clipped gradient; accumulators updated).
__kernel void velo_feature_sums(__global const float* params, __global const float* grads,
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

// apply: normalized features through tensor t's mixed MLP (mixed + t * VELO_MLP, 30 -> 4 -> 4 -> 3);
// q = p - lr * step[t] * out0 * exp(0.001 * out1), p <- q - param_decay * q.
__kernel void velo_apply(__global float* params, __global const float* grads, __global const float* m0,
                                 __global const float* m1, __global const float* m2, __global const float* v,
                                 __global const float* r0, __global const float* r1, __global const float* r2,
                                 __global const float* c0, __global const float* c1, __global const float* c2,
                                 __global const float* row_mean, int mean_total, __global const int* info,
                                 __global const float* scale, __global const float* mixed, __global const float* step,
                                 float lr, float param_decay, SFL_TABLE, __global const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    float x[VELO_FEATURES], out[2];
    velo_load_features(info + t * SFL_FIELDS, (int)e, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean,
                       mean_total, x);
    for (int q = 0; q < VELO_FEATURES; q++) x[q] = x[q] * scale[t * VELO_FEATURES + q];
    velo_mlp(mixed + (long)t * VELO_MLP, x, out);
    const float q = params[i] - lr * step[t] * (out[0] * exp(0.001f * out[1]));
    params[i] = param_decay != 0.0f ? q - param_decay * q : q;
}
