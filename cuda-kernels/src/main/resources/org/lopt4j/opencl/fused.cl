// fused.cl: the multi-tensor fused optimizer passes over slabs, generic over real_t (F32, and F64 where the device has
// cl_khr_fp64): one launch per pass for all tensors of a slab. Twins of cuda-kernels/src/main/cuda/fused_*.cu; Java
// twins: org.lopt4j.tensor.cpu.ref.Fused*Ref (FusedOps), the definition. Launched by org.lopt4j.opencl.OpenClFusedOps.
//
// One work-group per chunk-table entry (apex's multi_tensor_apply): group c updates flat slab elements
// [offsets[t] + start_of[c], offsets[t] + min(start_of[c] + chunk, sizes[t])) of tensor t = tensor_of[c], its
// work-items striding by the group size (Java twin of the walk: org.lopt4j.tensor.cpu.ref.ChunkView). Scalars arrive
// as real_t, derived constants such as 1 - beta formed by Java in double and rounded once; each element's arithmetic
// follows its twin operation for operation (FP_CONTRACT is off), so F64 results are the twins' bits and F32 results
// differ from the twins' double math only by float rounding.

// The flat element range of this work-group's chunk.
inline void chunk_range(__global const int* tensor_of, __global const int* start_of, __global const int* offsets,
                        __global const int* sizes, int chunk, long* begin, long* end) {
    const int t = tensor_of[get_group_id(0)];
    const long start = start_of[get_group_id(0)];
    const long stop = min(start + chunk, (long)sizes[t]);
    *begin = (long)offsets[t] + start;
    *end = (long)offsets[t] + stop;
}

#define CHUNK_TABLE __global const int* tensor_of, __global const int* start_of, __global const int* offsets, \
                    __global const int* sizes, int chunk
#define CHUNK_LOOP(i)                                                                                   \
    long begin, end;                                                                                    \
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);                              \
    for (long i = begin + (long)get_local_id(0); i < end; i += (long)get_local_size(0))

#if defined(LOPT4J_F32)
#define JAVA_MAX java_max_f
#define JAVA_MIN java_min_f
#else
#define JAVA_MAX java_max_d
#define JAVA_MIN java_min_d
#endif

// Gradient transform (zero non-finite, + wd * p, clip) with per-group partial statistics: partials[2c] = Σ g² of
// group c (after the transform, summed in wide_t), partials[2c + 1] = its count of non-finite inputs.
// fused_grad_stats_finish adds the partials in chunk order, so stats are the same bits on every run.
__kernel void fused_grad_stats_apply(__global const real_t* params, __global real_t* grads,
                                     __global wide_t* partials, CHUNK_TABLE, real_t weight_decay, real_t clip_value,
                                     int zero_non_finite, __local wide_t* scratch) {
    const bool writes = zero_non_finite || weight_decay != 0 || clip_value > 0;
    wide_t sum_sq = 0;
    int non_finite = 0;
    CHUNK_LOOP(i) {
        real_t x = grads[i];
        if (!isfinite(x)) {
            non_finite++;
            if (zero_non_finite) x = 0;
        }
        x = x + weight_decay * params[i];
        if (clip_value > 0) x = JAVA_MAX(-clip_value, JAVA_MIN(clip_value, x));
        if (writes) grads[i] = x;
        sum_sq += (wide_t)x * (wide_t)x;
    }
    const int lid = (int)get_local_id(0), size = (int)get_local_size(0);
    scratch[2 * lid] = sum_sq;
    scratch[2 * lid + 1] = (wide_t)non_finite;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[2 * lid] += scratch[2 * (lid + s)];
            scratch[2 * lid + 1] += scratch[2 * (lid + s) + 1];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        partials[2 * get_group_id(0)] = scratch[0];
        partials[2 * get_group_id(0) + 1] = scratch[1];
    }
}

// stats[0] = Σ partials[2c], stats[1] = Σ partials[2c + 1]; one work-item, in chunk order.
__kernel void fused_grad_stats_finish(__global const wide_t* partials, int chunks, __global real_t* stats) {
    if (get_global_id(0) != 0) return;
    wide_t sum_sq = 0, non_finite = 0;
    for (int c = 0; c < chunks; ++c) {
        sum_sq += partials[2 * c];
        non_finite += partials[2 * c + 1];
    }
    stats[0] = (real_t)sum_sq;
    stats[1] = (real_t)non_finite;
}

// FusedSgdRef.apply: p ← p − lr·g.
__kernel void fused_sgd_apply(__global real_t* params, __global const real_t* grads, CHUNK_TABLE, real_t lr) {
    CHUNK_LOOP(i) params[i] = params[i] - lr * grads[i];
}

// FusedSgdRef.momentum: b ← μ·b + g; p ← p − lr·b (Nesterov: p ← p − lr·(g + μ·b)).
__kernel void fused_sgd_momentum(__global real_t* params, __global const real_t* grads, __global real_t* trace,
                                 CHUNK_TABLE, real_t lr, real_t momentum, int nesterov) {
    CHUNK_LOOP(i) {
        const real_t gi = grads[i], bi = momentum * trace[i] + gi;
        trace[i] = bi;
        params[i] = params[i] - lr * (nesterov ? gi + momentum * bi : bi);
    }
}

// FusedAdamwRef.apply: omb1 = 1 − β1, omb2 = 1 − β2; bc1, bc2 the bias corrections.
__kernel void fused_adamw_apply(__global real_t* params, __global const real_t* grads, __global real_t* m,
                                __global real_t* v, CHUNK_TABLE, real_t lr, real_t beta1, real_t beta2, real_t omb1,
                                real_t omb2, real_t eps, real_t eps_root, real_t weight_decay, real_t bc1,
                                real_t bc2) {
    CHUNK_LOOP(i) {
        const real_t gi = grads[i], pi = params[i];
        const real_t mi = beta1 * m[i] + omb1 * gi;
        const real_t vi = beta2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const real_t m_hat = mi / bc1, v_hat = vi / bc2;
        params[i] = pi - lr * (m_hat / (sqrt(v_hat + eps_root) + eps) + weight_decay * pi);
    }
}

// FusedNadamwRef.apply: lr_wd = lrT · adamwWeightDecay (formed in double by Java, as the twin's lrT·wd).
__kernel void fused_nadamw_apply(__global real_t* params, __global const real_t* grads, __global real_t* m,
                                 __global real_t* v, CHUNK_TABLE, real_t lr_t, real_t beta1, real_t beta2, real_t omb1,
                                 real_t omb2, real_t eps, real_t lr_wd, real_t l2, int nesterov) {
    CHUNK_LOOP(i) {
        const real_t pi = params[i], gi = grads[i] - l2 * pi;
        const real_t mi = beta1 * m[i] + omb1 * gi;
        const real_t vi = beta2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const real_t num = nesterov ? beta1 * mi + omb1 * gi : mi;
        params[i] = pi - (lr_t * num / (sqrt(vi) + eps) + lr_wd * pi);
    }
}

// FusedRmspropRef.apply: omr = 1 − ρ; mg is touched only when centered, trace only when with_momentum.
__kernel void fused_rmsprop_apply(__global real_t* params, __global const real_t* grads, __global real_t* v,
                                  __global real_t* mg, __global real_t* trace, CHUNK_TABLE, real_t lr, real_t rho,
                                  real_t omr, real_t eps, int eps_in_sqrt, int centered, int with_momentum,
                                  real_t momentum, int nesterov) {
    CHUNK_LOOP(i) {
        const real_t gi = grads[i];
        const real_t vi = rho * v[i] + omr * gi * gi;
        v[i] = vi;
        real_t var = vi;
        if (centered) {
            const real_t mi = rho * mg[i] + omr * gi;
            mg[i] = mi;
            var = vi - mi * mi;
        }
        real_t u = eps_in_sqrt ? gi / sqrt(var + eps) : gi / (sqrt(var) + eps);
        if (with_momentum) {
            const real_t bi = momentum * trace[i] + u;
            trace[i] = bi;
            u = nesterov ? u + momentum * bi : bi;
        }
        params[i] = params[i] - lr * u;
    }
}

// FusedLionRef.apply: u = sign(β1·m + (1−β1)·g) + wd·p; m ← β2·m + (1−β2)·g; p ← p − lr·u.
__kernel void fused_lion_apply(__global real_t* params, __global const real_t* grads, __global real_t* m, CHUNK_TABLE,
                               real_t lr, real_t beta1, real_t beta2, real_t omb1, real_t omb2, real_t weight_decay) {
    CHUNK_LOOP(i) {
        const real_t gi = grads[i], mi = m[i], pi = params[i];
        const real_t u = JAVA_SIGNUM(beta1 * mi + omb1 * gi) + weight_decay * pi;
        m[i] = beta2 * mi + omb2 * gi;
        params[i] = pi - lr * u;
    }
}
