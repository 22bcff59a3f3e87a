// mlp_lopt.cl: MLPLOpt's step (mlp_lopt.md) over a whole population slab in four launches, whatever the number of
// tensors or members (F32): accumulate (the six momenta and per-work-group sums of the 8 features' squares; it advances
// the update counts), learned_feature_scales, learned_time_features and apply. Nothing is read back (LOPT_SKIPS).
// Built with common.cl, learned_rule.cuh (shared with mlp_lopt.cu) and learned.cl in front; launched by
// org.lopt4j.opencl.OpenClMlpLopt; Java twin org.lopt4j.learned.mlp.MlpLoptRef.

// accumulate: the six momenta m_k = d_k*m_k + (1 - d_k)*g (decays: d_0..d_5, then 1 - each), and the squares of
// the 8 features [g, p, m_0..m_5] (momenta after the update) summed per work-group: group g of chunk c writes
// partials[(c * groups + g) * 8 + q]. Every work-item reaches the barriers. It advances each tensor's update count
// (the first work-item of its first chunk) or, when the step is skipped, skips[0] (the whole launch returns alike).
__kernel void mlp_lopt_accumulate(__global const float* params, __global const float* grads, __global float* m0,
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

// apply: normalized [g, p, m_0..m_5] (learned_feature_scales) and the tensor's 11 time features
// (learned_time_features) go through the member's MLP (tensor t belongs to member t / per_member);
// p <- p - step_mult * dir * exp(exp_mult * mag).
__kernel void mlp_lopt_apply(__global float* params, __global const float* grads, __global const float* m0,
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
