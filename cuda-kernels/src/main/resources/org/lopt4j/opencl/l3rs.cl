// l3rs.cl: L3RS's step (narrowing_l3rs.md section 2) over a whole population slab in three launches, whatever the
// number of tensors or members (F32): accumulate (the heavy ball and Adam's moments, per-work-group sums of squares of
// p, g and the directions), layer (one work-item per tensor: EMAs, time and embedding through the member's MLP to
// lambda, mu and the inverse direction norms; it advances the update counts) and apply. Nothing is read back
// (LOPT_SKIPS). Built with common.cl, learned_rule.cuh (shared with l3rs.cu) and learned.cl in front; launched by
// org.lopt4j.opencl.OpenClL3rs; Java twin org.lopt4j.learned.l3rs.L3rsRef.

// accumulate: b <- 0.9 b + g, m <- 0.9 m + 0.1 g, v <- 0.999 v + 0.001 g^2, and the sums [p^2 (before the update),
// g^2, b^2, adam^2, sign(b)^2] per work-group: group g of chunk c writes partials[(c * groups + g) * 5 + q]. The update
// count is read, not advanced (layer advances it); a skipped step only advances skips[0].
__kernel void l3rs_accumulate(__global const float* params, __global const float* grads, __global float* hb,
                              __global float* m, __global float* v, __global float* partials, __global const float* count,
                              int count_stride, SFL_TABLE, __local float* scratch, __global const float* grad_stats,
                              int skip_nonfinite, __global float* skips) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (get_global_id(0) == 0 && get_global_id(1) == 0) skips[0] += 1.0f;
        return;
    }
    int t;
    long e, i;
    float x[L3RS_SUMS];
    for (int q = 0; q < L3RS_SUMS; q++) x[q] = 0.0f;
    if (sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) {
        float ibc[2], d[L3RS_DIRECTIONS];
        l3rs_bias((int)count[(long)t * count_stride] + 1, ibc);
        const float g = grads[i], p = params[i];
        const float bi = 0.9f * hb[i] + g, mi = 0.9f * m[i] + 0.1f * g, vi = 0.999f * v[i] + g * g * 0.001f;
        hb[i] = bi;
        m[i] = mi;
        v[i] = vi;
        l3rs_directions(g, bi, mi, vi, ibc[0], ibc[1], d);
        x[0] = p * p;
        x[1] = g * g;
        x[2] = d[1] * d[1];
        x[3] = d[2] * d[2];
        x[4] = d[3] * d[3];
    }
    group_sums(x, L3RS_SUMS, scratch, partials + ((long)get_global_id(1) * get_num_groups(0) + get_group_id(0)) * L3RS_SUMS);
}

// layer: one work-item per tensor t (member t / per_member): the sums of its groups' partials in order, its update
// count advanced to k, then l3rs_layer_outputs with the member's loss, MLP and the embedding of layer t mod per_member.
__kernel void l3rs_layer(__global const float* partials, int per_chunk, __global const int* first_chunk,
                         __global float* ema, int ema_stride, __global const float* losses, __global const float* theta,
                         int theta_stride, int mlp_size, __global const int* widths, int layers, int per_member,
                         __global float* count, int count_stride, int num_steps, float lambda0, int scale_by_norm,
                         __global float* layer_out, int tensors, __global const float* grad_stats, int skip_nonfinite) {
    const int t = (int)get_global_id(0);
    if (t >= tensors || LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    float s[L3RS_SUMS];
    for (int q = 0; q < L3RS_SUMS; q++) {
        s[q] = lopt_tensor_scale(partials, per_chunk, L3RS_SUMS, q, first_chunk[t], first_chunk[t + 1], 1, 0.0f, 0);
    }
    const int k = (int)count[(long)t * count_stride] + 1, member = t / per_member;
    count[(long)t * count_stride] = (float)k;
    int wl[LOPT_MAX_LAYERS + 1];
    for (int l = 0; l <= layers; l++) wl[l] = widths[l];
    __global const float* w = theta + (long)member * theta_stride;
    l3rs_layer_outputs(s, ema + (long)t * ema_stride, losses[member], k, num_steps, w, wl, layers,
                       w + mlp_size + (t % per_member) * L3RS_EMBED, lambda0, scale_by_norm,
                       layer_out + (long)t * L3RS_LAYER_OUT);
}

// apply: p <- p - lambda * sum_q mu_q * d_q / (||d_q|| + 1e-12), the directions formed again from the stored state.
__kernel void l3rs_apply(__global float* params, __global const float* grads, __global const float* hb,
                         __global const float* m, __global const float* v, __global const float* layer_out,
                         __global const float* count, int count_stride, SFL_TABLE, __global const float* grad_stats,
                         int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    int t;
    long e, i;
    if (!sfl_element(tensor_of, start_of, offsets, sizes, chunk, &t, &e, &i)) return;
    __global const float* o = layer_out + (long)t * L3RS_LAYER_OUT;
    float ibc[2], d[L3RS_DIRECTIONS];
    l3rs_bias((int)count[(long)t * count_stride], ibc);
    l3rs_directions(grads[i], hb[i], m[i], v[i], ibc[0], ibc[1], d);
    float step = 0.0f;
    for (int q = 0; q < L3RS_DIRECTIONS; q++) step += d[q] * (o[1 + q] * o[1 + L3RS_DIRECTIONS + q]);
    params[i] = params[i] - o[0] * step;
}
