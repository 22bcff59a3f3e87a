// celo2.cuh: CELO2's and ELO-CELO2's step (celo2.md sections 1-2) in the C subset CUDA C++ and OpenCL C share; celo2.cu
// and celo2.cl wrap it in entry points, a work-group of C2_GROUP work-items per table entry (a slab chunk, a block
// chunk or a member). Include it after learned_rule.cuh (features, SFL_* fields) and newton_schulz.cuh (NS_* macros).
// A block is one [rows x cols] matrix over a rank >= 2 tensor's last two axes: the unit of CELO2's normalization and
// of its Newton-Schulz. Java twins: org.lopt4j.learned.celo2.Celo2Ref (plain loops in double) and Celo2Simd; tables:
// org.lopt4j.learned.celo2.Celo2Plan; launchers: org.lopt4j.cuda.CudaCelo2, org.lopt4j.opencl.OpenClCelo2.
#ifndef LOPT4J_CELO2_CUH
#define LOPT4J_CELO2_CUH

#define C2_FEATURES 30
#define C2_OUTPUTS 3
#define C2_MAX_HIDDEN 32
#define C2_MAX_THETA (C2_FEATURES * C2_MAX_HIDDEN + C2_MAX_HIDDEN + C2_MAX_HIDDEN * C2_MAX_HIDDEN + C2_MAX_HIDDEN + \
                      C2_OUTPUTS * C2_MAX_HIDDEN + C2_OUTPUTS)
// Work-items of a group (a power of two).
#define C2_GROUP 256

// Fields of the block table (C2B_FIELDS ints a block; Java twin: LearnedOps.Celo2Args): flat offset, index of its
// first element inside its tensor, rows, columns, tensor, first entry and count of its entries in the block chunk table.
#define C2B_OFFSET 0
#define C2B_LOCAL 1
#define C2B_ROWS 2
#define C2B_COLS 3
#define C2B_TENSOR 4
#define C2B_FIRST_CHUNK 5
#define C2B_CHUNKS 6
#define C2B_FIELDS 7

// The slab chunk table's arguments (FusedOps.Chunks) and the block chunk table's.
#define C2_SLAB_TABLE const NS_GLOBAL int* tensor_of, const NS_GLOBAL int* start_of, const NS_GLOBAL int* offsets, \
                      const NS_GLOBAL int* sizes, int chunk
#define C2_BLOCK_TABLE const NS_GLOBAL int* blocks, const NS_GLOBAL int* block_of, const NS_GLOBAL int* block_start, \
                       int block_chunk

// Adds x[0..n) of every work-item of the group: the sums end in scratch[q * C2_GROUP] (n * C2_GROUP floats). Every
// work-item of the group must call it.
NS_FN void c2_group_sums(const float* x, int n, int lid, NS_LOCAL float* scratch) {
    for (int q = 0; q < n; q++) scratch[q * C2_GROUP + lid] = x[q];
    NS_BARRIER();
    for (int s = C2_GROUP / 2; s > 0; s >>= 1) {
        if (lid < s) {
            for (int q = 0; q < n; q++) scratch[q * C2_GROUP + lid] += scratch[q * C2_GROUP + lid + s];
        }
        NS_BARRIER();
    }
}

// Slab chunk c's elements [*begin, *end) and tensor.
NS_FN int c2_slab_range(C2_SLAB_TABLE, int c, LOPT_LONG* begin, LOPT_LONG* end) {
    const int t = tensor_of[c];
    *begin = (LOPT_LONG)offsets[t] + start_of[c];
    const LOPT_LONG stop = (LOPT_LONG)offsets[t] + sizes[t];
    *end = *begin + chunk < stop ? *begin + chunk : stop;
    return t;
}

// grad_norms (with a global norm clip): the sum of g^2 of slab chunk c into norm_partials[c].
NS_FN void c2_grad_norms(const NS_GLOBAL float* grads, NS_GLOBAL float* norm_partials, C2_SLAB_TABLE, int c, int lid,
                         NS_LOCAL float* scratch) {
    LOPT_LONG begin, end;
    c2_slab_range(tensor_of, start_of, offsets, sizes, chunk, c, &begin, &end);
    float acc[1] = {0.0f};
    for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) acc[0] += grads[i] * grads[i];
    c2_group_sums(acc, 1, lid, scratch);
    if (lid == 0) norm_partials[c] = scratch[0];
}

// member_scales, for member m: clip_norm / max(||g of every tensor of the member||, clip_norm) (optax's
// clip_by_global_norm), from the partials of its chunks (its tensors are consecutive).
NS_FN void c2_member_scales(const NS_GLOBAL float* norm_partials, const NS_GLOBAL int* first_chunk, int per_member,
                            float clip_norm, NS_GLOBAL float* member_scales, int m, int lid, NS_LOCAL float* scratch) {
    float acc[1] = {0.0f};
    for (int c = first_chunk[m * per_member] + lid; c < first_chunk[(m + 1) * per_member]; c += C2_GROUP) acc[0] += norm_partials[c];
    c2_group_sums(acc, 1, lid, scratch);
    if (lid == 0) member_scales[m] = clip_norm / LOPT_MAX(LOPT_SQRT(scratch[0]), clip_norm);
}

// clip: g <- clip(g * scale, -lim, lim) over slab chunk c, scale its member's (1 without a global norm clip).
NS_FN void c2_clip(NS_GLOBAL float* grads, const NS_GLOBAL int* info, const NS_GLOBAL float* member_scales, int use_scales,
                   float lim, C2_SLAB_TABLE, int c, int lid) {
    LOPT_LONG begin, end;
    const int t = c2_slab_range(tensor_of, start_of, offsets, sizes, chunk, c, &begin, &end);
    const float scale = use_scales ? member_scales[info[t * SFL_FIELDS + SFL_MEMBER]] : 1.0f;
    for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) grads[i] = LOPT_MAX(-lim, LOPT_MIN(lim, grads[i] * scale));
}

// The 30 features (celo2.md section 1.2, group order) of element i, index e inside its factored tensor (info row in),
// from the updated accumulators.
NS_FN void c2_features(const NS_GLOBAL int* in, int e, LOPT_LONG i, const NS_GLOBAL float* params,
                       const NS_GLOBAL float* grads, const NS_GLOBAL float* m0, const NS_GLOBAL float* m1,
                       const NS_GLOBAL float* m2, const NS_GLOBAL float* v, const NS_GLOBAL float* r0,
                       const NS_GLOBAL float* r1, const NS_GLOBAL float* r2, const NS_GLOBAL float* c0,
                       const NS_GLOBAL float* c1, const NS_GLOBAL float* c2, const NS_GLOBAL float* row_mean,
                       int mean_total, float* x) {
    float m[3], a[3], b[3], mean[3];
    m[0] = m0[i];
    m[1] = m1[i];
    m[2] = m2[i];
    lopt_load_acc(in, e, r0, r1, r2, c0, c1, c2, row_mean, mean_total, a, b, mean);
    const float g = grads[i], rms = v[i], rs = 1.0f / LOPT_SQRT(rms + 1e-8f);
    x[0] = g;
    x[1] = LOPT_MAX(-0.1f, LOPT_MIN(0.1f, g));
    x[2] = params[i];
    x[6] = rms;
    x[10] = rs;
    x[14] = g * rs;
    for (int k = 0; k < 3; k++) {
        const float fac = sfl_safe_rsqrt(a[k] / (mean[k] + 1e-9f)) * sfl_safe_rsqrt(b[k]);
        x[3 + k] = m[k];
        x[7 + k] = m[k] * rs;
        x[11 + k] = g * fac;
        x[15 + k] = a[k];
        x[18 + k] = b[k];
        x[21 + k] = 1.0f / LOPT_SQRT(a[k] + 1e-8f);
        x[24 + k] = 1.0f / LOPT_SQRT(b[k] + 1e-8f);
        x[27 + k] = m[k] * fac;
    }
}

// Block chunk c's block, its elements [*start, *stop) inside the block; the block's row in the table into *blk.
NS_FN int c2_block_range(C2_BLOCK_TABLE, int c, int* start, int* stop, const NS_GLOBAL int** blk) {
    const int b = block_of[c];
    *blk = blocks + b * C2B_FIELDS;
    const int size = (*blk)[C2B_ROWS] * (*blk)[C2B_COLS];
    *start = block_start[c];
    *stop = *start + block_chunk < size ? *start + block_chunk : size;
    return b;
}

// feature_sums: the squares of the 30 features summed over block chunk c, into partials[c * 30 + q].
NS_FN void c2_feature_sums(const NS_GLOBAL float* params, const NS_GLOBAL float* grads, const NS_GLOBAL float* m0,
                           const NS_GLOBAL float* m1, const NS_GLOBAL float* m2, const NS_GLOBAL float* v,
                           const NS_GLOBAL float* r0, const NS_GLOBAL float* r1, const NS_GLOBAL float* r2,
                           const NS_GLOBAL float* c0, const NS_GLOBAL float* c1, const NS_GLOBAL float* c2,
                           const NS_GLOBAL float* row_mean, int mean_total, const NS_GLOBAL int* info,
                           NS_GLOBAL float* partials, C2_BLOCK_TABLE, int c, int lid, NS_LOCAL float* scratch) {
    int start, stop;
    const NS_GLOBAL int* blk;
    c2_block_range(blocks, block_of, block_start, block_chunk, c, &start, &stop, &blk);
    const NS_GLOBAL int* in = info + blk[C2B_TENSOR] * SFL_FIELDS;
    float acc[C2_FEATURES], x[C2_FEATURES];
    for (int q = 0; q < C2_FEATURES; q++) acc[q] = 0.0f;
    for (int j = start + lid; j < stop; j += C2_GROUP) {
        c2_features(in, blk[C2B_LOCAL] + j, (LOPT_LONG)blk[C2B_OFFSET] + j, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1,
                    c2, row_mean, mean_total, x);
        for (int q = 0; q < C2_FEATURES; q++) acc[q] += x[q] * x[q];
    }
    c2_group_sums(acc, C2_FEATURES, lid, scratch);
    if (lid < C2_FEATURES) partials[(LOPT_LONG)c * C2_FEATURES + lid] = scratch[lid * C2_GROUP];
}

// block_scales, work-item id = (block, feature): 1/sqrt(1e-9 + mean square over the block) from its chunks' partials
// (`features` a chunk), in chunk order.
NS_FN void c2_block_scales(const NS_GLOBAL float* partials, int features, const NS_GLOBAL int* blocks, int block_count,
                           NS_GLOBAL float* scales, int id) {
    if (id >= block_count * features) return;
    const int b = id / features, q = id % features;
    const NS_GLOBAL int* blk = blocks + b * C2B_FIELDS;
    float sum = 0.0f;
    for (int c = blk[C2B_FIRST_CHUNK]; c < blk[C2B_FIRST_CHUNK] + blk[C2B_CHUNKS]; c++) sum += partials[(LOPT_LONG)c * features + q];
    scales[id] = 1.0f / LOPT_SQRT(1e-9f + sum / (float)(blk[C2B_ROWS] * blk[C2B_COLS]));
}

// mlp: block chunk c's normalized features through its member's split MLP (theta packed as LearnedOps.Celo2Args says,
// copied into wl first), step[i] = direction * exp(exp_mult * magnitude).
NS_FN void c2_mlp(const NS_GLOBAL float* params, const NS_GLOBAL float* grads, const NS_GLOBAL float* m0,
                  const NS_GLOBAL float* m1, const NS_GLOBAL float* m2, const NS_GLOBAL float* v,
                  const NS_GLOBAL float* r0, const NS_GLOBAL float* r1, const NS_GLOBAL float* r2,
                  const NS_GLOBAL float* c0, const NS_GLOBAL float* c1, const NS_GLOBAL float* c2,
                  const NS_GLOBAL float* row_mean, int mean_total, const NS_GLOBAL int* info,
                  const NS_GLOBAL float* block_scales, const NS_GLOBAL float* theta, int theta_stride, int hidden,
                  float exp_mult, NS_GLOBAL float* step, C2_BLOCK_TABLE, int c, int lid, NS_LOCAL float* wl) {
    int start, stop;
    const NS_GLOBAL int* blk;
    const int b = c2_block_range(blocks, block_of, block_start, block_chunk, c, &start, &stop, &blk);
    const NS_GLOBAL int* in = info + blk[C2B_TENSOR] * SFL_FIELDS;
    const NS_GLOBAL float* w = theta + (LOPT_LONG)in[SFL_MEMBER] * theta_stride;
    for (int k = lid; k < theta_stride; k += C2_GROUP) wl[k] = w[k];
    for (int q = lid; q < C2_FEATURES; q += C2_GROUP) wl[C2_MAX_THETA + q] = block_scales[(LOPT_LONG)b * C2_FEATURES + q];
    NS_BARRIER();
    const int h = hidden, b0 = C2_FEATURES * h, w1 = b0 + h, b1 = w1 + h * h, w2 = b1 + h, b2 = w2 + C2_OUTPUTS * h;
    float x[C2_FEATURES], h0[C2_MAX_HIDDEN], h1[C2_MAX_HIDDEN];
    for (int j = start + lid; j < stop; j += C2_GROUP) {
        const LOPT_LONG i = (LOPT_LONG)blk[C2B_OFFSET] + j;
        c2_features(in, blk[C2B_LOCAL] + j, i, params, grads, m0, m1, m2, v, r0, r1, r2, c0, c1, c2, row_mean, mean_total, x);
        for (int q = 0; q < C2_FEATURES; q++) x[q] = x[q] * wl[C2_MAX_THETA + q];
        for (int u = 0; u < h; u++) {
            float z = wl[b0 + u];
            for (int q = 0; q < C2_FEATURES; q++) z += x[q] * wl[q * h + u];
            h0[u] = LOPT_MAX(z, 0.0f);
        }
        for (int u = 0; u < h; u++) {
            float z = wl[b1 + u];
            for (int k = 0; k < h; k++) z += h0[k] * wl[w1 + k * h + u];
            h1[u] = LOPT_MAX(z, 0.0f);
        }
        float dir = wl[b2], mag = wl[b2 + 1];
        for (int k = 0; k < h; k++) {
            dir += h1[k] * wl[w2 + k * C2_OUTPUTS];
            mag += h1[k] * wl[w2 + k * C2_OUTPUTS + 1];
        }
        step[i] = exp_mult == 0.0f ? dir : dir * LOPT_EXP(mag * exp_mult);
    }
}

// step_sums: the sum of step^2 over block chunk c into partials[c].
NS_FN void c2_step_sums(const NS_GLOBAL float* step, NS_GLOBAL float* partials, C2_BLOCK_TABLE, int c, int lid,
                        NS_LOCAL float* scratch) {
    int start, stop;
    const NS_GLOBAL int* blk;
    c2_block_range(blocks, block_of, block_start, block_chunk, c, &start, &stop, &blk);
    float acc[1] = {0.0f};
    for (int j = start + lid; j < stop; j += C2_GROUP) {
        const float s = step[(LOPT_LONG)blk[C2B_OFFSET] + j];
        acc[0] += s * s;
    }
    c2_group_sums(acc, 1, lid, scratch);
    if (lid == 0) partials[c] = scratch[0];
}

// apply, over slab chunk c: a rank >= 2 tensor's p <- p - lr * (step * its block's scale + wd * p); a rank <= 1
// tensor's AdamW at its update count (advanced by accumulate), over its own moments (adam_m, adam_v: CELO2) or the
// shared momentum m0 and RMS v (shared_adam: ELO-CELO2), p <- p - adam_lr * (m^ / (sqrt(v^) + 1e-8) + adam_wd * p).
NS_FN void c2_apply(NS_GLOBAL float* params, const NS_GLOBAL float* grads, NS_GLOBAL float* adam_m,
                    NS_GLOBAL float* adam_v, const NS_GLOBAL float* m0, const NS_GLOBAL float* v,
                    const NS_GLOBAL float* count, int count_stride, const NS_GLOBAL float* step,
                    const NS_GLOBAL float* step_scales, const NS_GLOBAL int* blocks, const NS_GLOBAL int* tensor_block,
                    int shared_adam, float lr, float wd, float adam_lr, float adam_wd, C2_SLAB_TABLE, int c, int lid) {
    LOPT_LONG begin, end;
    const int t = c2_slab_range(tensor_of, start_of, offsets, sizes, chunk, c, &begin, &end);
    const int tb = tensor_block[t];
    if (tb >= 0) {
        const int size = blocks[tb * C2B_FIELDS + C2B_ROWS] * blocks[tb * C2B_FIELDS + C2B_COLS];
        for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) {
            const float p = params[i];
            const float s = step[i] * step_scales[tb + (int)((i - offsets[t]) / size)];
            params[i] = p - lr * (s + wd * p);
        }
        return;
    }
    // CELO2's own betas and ELO-CELO2's decays of m0 and v are the same values
    const float b1 = 0.9f, b2 = 0.95f, n = count[(LOPT_LONG)t * count_stride];
    const float bc1 = 1.0f - LOPT_POW(b1, n), bc2 = 1.0f - LOPT_POW(b2, n);
    for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) {
        float m, vv;
        if (shared_adam) {
            m = m0[i];
            vv = v[i];
        } else {
            const float g = grads[i];
            m = b1 * adam_m[i] + (1.0f - b1) * g;
            vv = b2 * adam_v[i] + (1.0f - b2) * g * g;
            adam_m[i] = m;
            adam_v[i] = vv;
        }
        const float p = params[i], u = (m / bc1) / (LOPT_SQRT(vv / bc2) + 1e-8f);
        params[i] = p - adam_lr * (u + adam_wd * p);
    }
}

#endif
