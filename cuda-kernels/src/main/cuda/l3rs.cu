// l3rs.cu: L3RS's step (narrowing_l3rs.md section 2) over a whole population slab in three launches, whatever the
// number of tensors or members (F32): accumulate (the heavy ball and Adam's moments, per-chunk sums of squares of p, g
// and the directions), layer (one thread per tensor: its sums, EMAs, time and embedding through the member's MLP to
// lambda, mu and the inverse direction norms; it advances the update counts) and apply. Nothing is read back
// (LOPT_SKIPS). The per-element and per-tensor code is learned_rule.cuh, which the OpenCL program l3rs.cl shares.
// Java twin: org.lopt4j.learned.l3rs.L3rsRef; launcher: org.lopt4j.cuda.CudaL3rs; tables: org.lopt4j.learned.l3rs.L3rsTables.
#include "fused.cuh"
#include "learned_rule.cuh"
#include "learned.cuh"

// accumulate: b <- 0.9 b + g, m <- 0.9 m + 0.1 g, v <- 0.999 v + 0.001 g^2, and per block the sums
// [p^2 (before the update), g^2, b^2, adam^2, sign(b)^2] into partials (5 per chunk entry). The update count is read,
// not advanced (layer advances it once every block has read it); a skipped step only advances skips[0].
extern "C" __global__ void l3rs_accumulate(const float* params, const float* grads, float* hb, float* m, float* v,
                                           float* partials, const float* count, int count_stride, const int* tensor_of,
                                           const int* start_of, const int* offsets, const int* sizes, int chunk,
                                           const float* grad_stats, int skip_nonfinite, float* skips) {
    __shared__ float warp_sums[32][L3RS_SUMS];
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) {
        if (blockIdx.x == 0 && threadIdx.x == 0) skips[0] += 1.0f;
        return;
    }
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    float ibc[2], d[L3RS_DIRECTIONS], acc[L3RS_SUMS];
    l3rs_bias((int)count[(long long)tensor_of[blockIdx.x] * count_stride] + 1, ibc);
    for (int q = 0; q < L3RS_SUMS; q++) acc[q] = 0.f;
    CHUNK_LOOP(i, begin, end) {
        const float g = grads[i], p = params[i];
        const float bi = 0.9f * hb[i] + g, mi = 0.9f * m[i] + 0.1f * g, vi = 0.999f * v[i] + g * g * 0.001f;
        hb[i] = bi;
        m[i] = mi;
        v[i] = vi;
        l3rs_directions(g, bi, mi, vi, ibc[0], ibc[1], d);
        acc[0] += p * p;
        acc[1] += g * g;
        acc[2] += d[1] * d[1];
        acc[3] += d[2] * d[2];
        acc[4] += d[3] * d[3];
    }
    block_sums<L3RS_SUMS>(acc, warp_sums, partials + (long long)blockIdx.x * L3RS_SUMS);
}

// layer: one thread per tensor t (member t / per_member): the sums of its chunks' partials in order, its update
// count advanced to k, then l3rs_layer with the member's loss, MLP and the embedding of layer t mod per_member.
extern "C" __global__ void l3rs_layer(const float* partials, int per_chunk, const int* first_chunk, float* ema,
                                      int ema_stride, const float* losses, const float* theta, int theta_stride,
                                      int mlp_size, const int* widths, int layers, int per_member, float* count,
                                      int count_stride, int num_steps, double lambda0, int scale_by_norm, float* layer_out,
                                      int tensors, const float* grad_stats, int skip_nonfinite) {
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= tensors || LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    float s[L3RS_SUMS];
    for (int q = 0; q < L3RS_SUMS; q++) {
        s[q] = lopt_tensor_scale(partials, per_chunk, L3RS_SUMS, q, first_chunk[t], first_chunk[t + 1], 1, 0.0f, 0);
    }
    const int k = (int)count[(long long)t * count_stride] + 1, member = t / per_member;
    count[(long long)t * count_stride] = (float)k;
    int wl[LOPT_MAX_LAYERS + 1];
    for (int l = 0; l <= layers; l++) wl[l] = widths[l];
    const float* w = theta + (long long)member * theta_stride;
    l3rs_layer_outputs(s, ema + (long long)t * ema_stride, losses[member], k, num_steps, w, wl, layers,
                       w + mlp_size + (t % per_member) * L3RS_EMBED, (float)lambda0, scale_by_norm,
                       layer_out + (long long)t * L3RS_LAYER_OUT);
}

// apply: p <- p - lambda * sum_q mu_q * d_q / (||d_q|| + 1e-12), the directions formed again from the stored state.
extern "C" __global__ void l3rs_apply(float* params, const float* grads, const float* hb, const float* m, const float* v,
                                      const float* layer_out, const float* count, int count_stride, const int* tensor_of,
                                      const int* start_of, const int* offsets, const int* sizes, int chunk,
                                      const float* grad_stats, int skip_nonfinite) {
    if (LOPT_SKIPS(grad_stats, skip_nonfinite)) return;
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const int t = tensor_of[blockIdx.x];
    const float* o = layer_out + (long long)t * L3RS_LAYER_OUT;
    float ibc[2], d[L3RS_DIRECTIONS], wq[L3RS_DIRECTIONS];
    l3rs_bias((int)count[(long long)t * count_stride], ibc);
    for (int q = 0; q < L3RS_DIRECTIONS; q++) wq[q] = o[1 + q] * o[1 + L3RS_DIRECTIONS + q];
    const float lambda = o[0];
    CHUNK_LOOP(i, begin, end) {
        l3rs_directions(grads[i], hb[i], m[i], v[i], ibc[0], ibc[1], d);
        params[i] = params[i] - lambda * (d[0] * wq[0] + d[1] * wq[1] + d[2] * wq[2] + d[3] * wq[3]);
    }
}
