// fused.cl: the multi-tensor fused optimizer passes over slabs, generic over real_t (F32, and F64 where the device has
// cl_khr_fp64): one launch per pass for all tensors of a slab. Twins of cuda-kernels/src/main/cuda/fused_*.cu; Java
// twins: org.lopt4j.tensor.cpu.ref.Fused*Ref (FusedOps), the definition. Launched by org.lopt4j.opencl.OpenClFusedOps.
//
// A 2-D NDRange over the chunk table (apex's multi_tensor_apply, one work-item per element): dimension 1 is the
// chunk-table entry c, dimension 0 the position within it, so work-item (e, c) updates flat slab element
// offsets[t] + start_of[c] + e of tensor t = tensor_of[c] when e < chunk and start_of[c] + e < sizes[t] (Java twin of
// the walk: org.lopt4j.tensor.cpu.ref.ChunkView). Neighbouring work-items touch neighbouring elements: coalesced on a
// GPU, and vectorized across work-items by CPU implementations such as PoCL. Scalars arrive as real_t, derived
// constants such as 1 - beta formed by Java in double and rounded once; each element's arithmetic follows its twin
// operation for operation (FP_CONTRACT is off), so F64 results are the twins' bits and F32 results differ from the
// twins' double math only by float rounding.

#define CHUNK_TABLE __global const int* tensor_of, __global const int* start_of, __global const int* offsets, \
                    __global const int* sizes, int chunk

// Whether this work-item has an element; its flat index in *i.
inline bool chunk_element(__global const int* tensor_of, __global const int* start_of, __global const int* offsets,
                          __global const int* sizes, int chunk, long* i) {
    const int c = (int)get_global_id(1), t = tensor_of[c];
    const long start = start_of[c], e = (long)get_global_id(0);
    *i = (long)offsets[t] + start + e;
    return e < chunk && start + e < sizes[t];
}

#define CHUNK_ELEMENT(i) \
    long i;              \
    if (chunk_element(tensor_of, start_of, offsets, sizes, chunk, &i))

#if defined(LOPT4J_F32)
#define JAVA_MAX java_max_f
#define JAVA_MIN java_min_f
#else
#define JAVA_MAX java_max_d
#define JAVA_MIN java_min_d
#endif

// Gradient transform (zero non-finite, + wd * p, clip) with per-group partial statistics: group g of chunk c writes
// partials[2k] = its Σ g² (after the transform, summed in wide_t) and partials[2k + 1] = its count of non-finite
// inputs, k = c * groups + g. fused_grad_stats_finish adds the partials in order, so stats are the same bits on every
// run. The group size is a power of two.
__kernel void fused_grad_stats_apply(__global const real_t* params, __global real_t* grads,
                                     __global wide_t* partials, CHUNK_TABLE, real_t weight_decay, real_t clip_value,
                                     int zero_non_finite, __local wide_t* scratch) {
    const bool writes = zero_non_finite || weight_decay != 0 || clip_value > 0;
    wide_t sum_sq = 0, non_finite = 0;
    CHUNK_ELEMENT(i) {
        real_t x = grads[i];
        if (!isfinite(x)) {
            non_finite = 1;
            if (zero_non_finite) x = 0;
        }
        x = x + weight_decay * params[i];
        if (clip_value > 0) x = JAVA_MAX(-clip_value, JAVA_MIN(clip_value, x));
        if (writes) grads[i] = x;
        sum_sq = (wide_t)x * (wide_t)x;
    }
    const int lid = (int)get_local_id(0), size = (int)get_local_size(0);
    scratch[2 * lid] = sum_sq;
    scratch[2 * lid + 1] = non_finite;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[2 * lid] += scratch[2 * (lid + s)];
            scratch[2 * lid + 1] += scratch[2 * (lid + s) + 1];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        const long k = (long)get_group_id(1) * get_num_groups(0) + get_group_id(0);
        partials[2 * k] = scratch[0];
        partials[2 * k + 1] = scratch[1];
    }
}

// stats[0] = Σ partials[2k], stats[1] = Σ partials[2k + 1]; one work-item, in order.
__kernel void fused_grad_stats_finish(__global const wide_t* partials, int count, __global real_t* stats) {
    if (get_global_id(0) != 0) return;
    wide_t sum_sq = 0, non_finite = 0;
    for (int k = 0; k < count; ++k) {
        sum_sq += partials[2 * k];
        non_finite += partials[2 * k + 1];
    }
    stats[0] = (real_t)sum_sq;
    stats[1] = (real_t)non_finite;
}

// FusedSgdRef.apply: p ← p − lr·g.
__kernel void fused_sgd_apply(__global real_t* params, __global const real_t* grads, CHUNK_TABLE, real_t lr) {
    CHUNK_ELEMENT(i) params[i] = params[i] - lr * grads[i];
}

// FusedSgdRef.momentum: b ← μ·b + g; p ← p − lr·b (Nesterov: p ← p − lr·(g + μ·b)).
__kernel void fused_sgd_momentum(__global real_t* params, __global const real_t* grads, __global real_t* trace,
                                 CHUNK_TABLE, real_t lr, real_t momentum, int nesterov) {
    CHUNK_ELEMENT(i) {
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
    CHUNK_ELEMENT(i) {
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
    CHUNK_ELEMENT(i) {
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
    CHUNK_ELEMENT(i) {
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
    CHUNK_ELEMENT(i) {
        const real_t gi = grads[i], mi = m[i], pi = params[i];
        const real_t u = JAVA_SIGNUM(beta1 * mi + omb1 * gi) + weight_decay * pi;
        m[i] = beta2 * mi + omb2 * gi;
        params[i] = pi - lr * u;
    }
}
