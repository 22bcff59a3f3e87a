// ciao.cuh: the step of LHOPT's inner optimizer CIAO (lhopt.md sections 2-3) in the C subset CUDA C++ and OpenCL C
// share; ciao.cu and ciao.cl wrap it in entry points: global (one work-item: the global norm from the gradient
// statistics pass the step runs anyway, the rolling maximum and the clip coefficient), moments (a
// work-group per slab chunk: m, v and the chunk's sums of the update's and the features' terms), tensors (a work-item
// per tensor: bias corrections, LAMB's trust ratio, this step's lr, the 13 features) and apply (a work-group per slab
// chunk). Nothing is read back. Device functions are ci_*, entry points ciao_*. Include it after learned_rule.cuh,
// newton_schulz.cuh and celo2.cuh (their macros, c2_group_sums and c2_slab_range).
// Java twin: org.lopt4j.optim.CiaoRef; launchers: org.lopt4j.cuda.CudaCiao, org.lopt4j.opencl.OpenClCiao.
#ifndef LOPT4J_CIAO_CUH
#define LOPT4J_CIAO_CUH

// CIAO_MUL: a product the compiler may not fuse into a later add (see ci_moments).
#ifdef __OPENCL_VERSION__
#pragma OPENCL FP_CONTRACT OFF
#define CIAO_ERFC(x) erfc(x)
#define CIAO_MUL(a, b) ((a) * (b))
#else
#define CIAO_ERFC(x) erfcf(x)
#define CIAO_MUL(a, b) __fmul_rn(a, b)
#endif

// Floats per tensor in per_tensor (bc1, bc2, LAMB's norm EMA, its correction, this step's lr), per chunk in partials,
// the features (LearnedOps.CiaoArgs).
#define CIAO_PER_TENSOR 5
#define CIAO_SUMS 10
#define CIAO_FEATURES 13
// Slots of a chunk's partials: u^2, p^2; on feature steps g'^2, mh^2, (mh - g')^2, g'.mh, g'.p, g'.u,
// log(|u| + 1e-8), the count of v > eps (g' the clipped gradient, mh the bias-corrected momentum, u the update).
#define CIAO_UU 0
#define CIAO_PP 1
#define CIAO_GG 2
#define CIAO_MM 3
#define CIAO_DD 4
#define CIAO_GM 5
#define CIAO_GP 6
#define CIAO_GU 7
#define CIAO_LOGU 8
#define CIAO_ABOVE 9
// Fields of clip_state (CiaoArgs.global): rolling maximum, clip coefficient, 1 when the step clipped.
#define CIAO_ROLLING 0
#define CIAO_COEF 1
#define CIAO_CLIPPED 2

// global (one work-item): G = sqrt(grad_stats[0]), the statistics pass's sum of g^2; R <- max(G, bc * R), coef =
// clip_norm * R / (G + 1e-6) (1 without a clip), whether coef < 1.
NS_FN void ci_global(const NS_GLOBAL float* grad_stats, NS_GLOBAL float* clip_state, float grad_clip_beta, float clip_norm) {
    const float norm = LOPT_SQRT(grad_stats[0]), rolling = LOPT_MAX(norm, grad_clip_beta * clip_state[CIAO_ROLLING]);
    const float coef = clip_norm > 0.0f ? clip_norm * rolling / (norm + 1e-6f) : 1.0f;
    clip_state[CIAO_ROLLING] = rolling;
    clip_state[CIAO_COEF] = coef;
    clip_state[CIAO_CLIPPED] = coef < 1.0f ? 1.0f : 0.0f;
}

// The update of element i: u = m / den / bc1 (+ wd * p when the decay is in the update), den = v + eps ('inf') or
// sqrt(v / bc2) + eps.
NS_FN float ci_update(float m, float v, float p, float bc1, float bc2, float eps, float wd, int inf, int wd_in_update) {
    const float den = inf ? v + eps : LOPT_SQRT(v / bc2) + eps;
    return m / den / bc1 + (wd_in_update ? wd * p : 0.0f);
}

// moments, over slab chunk c: g' = coef * g when the step clips; m, v updated; the chunk's sums (the feature slots
// only when features is 1). bc1, bc2 are this step's (the tensors pass stores them).
NS_FN void ci_moments(const NS_GLOBAL float* params, const NS_GLOBAL float* grads, NS_GLOBAL float* m, NS_GLOBAL float* v,
                        const NS_GLOBAL float* per_tensor, const NS_GLOBAL float* clip_state, NS_GLOBAL float* partials,
                        float beta1, float beta2, float eps, float wd, int inf, int wd_in_update, int features,
                        C2_SLAB_TABLE, int c, int lid, NS_LOCAL float* scratch) {
    LOPT_LONG begin, end;
    const int t = c2_slab_range(tensor_of, start_of, offsets, sizes, chunk, c, &begin, &end);
    const float coef = clip_state[CIAO_COEF];
    const int clip = coef < 1.0f;
    const float bc1 = beta1 * per_tensor[t * CIAO_PER_TENSOR] + (1.0f - beta1);
    const float bc2 = beta2 * per_tensor[t * CIAO_PER_TENSOR + 1] + (1.0f - beta2);
    float acc[CIAO_SUMS];
    for (int q = 0; q < CIAO_SUMS; q++) acc[q] = 0.0f;
    for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) {
        const float g = clip ? coef * grads[i] : grads[i], p = params[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = inf ? LOPT_MAX(beta2 * v[i], LOPT_FABS(g)) : beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        const float u = ci_update(mi, vi, p, bc1, bc2, eps, wd, inf, wd_in_update);
        acc[CIAO_UU] += u * u;
        acc[CIAO_PP] += p * p;
        if (features) {
            // mh - g as (m - bc1 g) / bc1 with an unfused product: exactly 0 where m = (1 - beta1) g (a first step), as
            // in float64, where float32's mh - g would leave rounding noise far above the feature's 1e-8
            const float mh = mi / bc1, d = (mi - CIAO_MUL(bc1, g)) / bc1;
            acc[CIAO_GG] += g * g;
            acc[CIAO_MM] += mh * mh;
            acc[CIAO_DD] += d * d;
            acc[CIAO_GM] += g * mh;
            acc[CIAO_GP] += g * p;
            acc[CIAO_GU] += g * u;
            acc[CIAO_LOGU] += LOPT_LOG(LOPT_FABS(u) + 1e-8f);
            acc[CIAO_ABOVE] += vi > eps ? 1.0f : 0.0f;
        }
    }
    c2_group_sums(acc, CIAO_SUMS, lid, scratch);
    if (lid < CIAO_SUMS) partials[(LOPT_LONG)c * CIAO_SUMS + lid] = scratch[lid * C2_GROUP];
}

NS_FN float ci_log(float x) { return LOPT_LOG(x + 1e-8f); }

NS_FN float ci_cos(float ab, float an, float bn) { return ab / LOPT_MAX(an * bn, 1e-8f); }

// The standard normal CDF.
NS_FN float ci_phi(float x) { return 0.5f * CIAO_ERFC(-x * 0.70710678118654752f); }

// logit(Phi(x)) with the probability clipped to [1e-8, 1 - 1e-8], as log(Phi(x)) - log(1 - Phi(x)) with 1 - Phi(x)
// from erfc directly: float cannot hold 1 - 1e-8, so the clip is applied to each side.
NS_FN float ci_logit_phi(float x) {
    const float q = ci_phi(x), r = 0.5f * CIAO_ERFC(x * 0.70710678118654752f);
    return LOPT_LOG(LOPT_MAX(q, 1e-8f)) - LOPT_LOG(LOPT_MAX(r, 1e-8f));
}

// tensors, work-item t: its chunks' sums in order; bc1, bc2; LAMB (unless it ignores this vector) from the EMA of
// ||u||: lr_t = lr * clip(||p|| / n, min_trust, max_trust)^power when both norms are >= 1e-8; lr_t into per_tensor;
// with features the 13 of lhopt.md section 3 into features[t * 13 ..].
NS_FN void ci_tensors(const NS_GLOBAL float* partials, const NS_GLOBAL int* first_chunk, const NS_GLOBAL int* sizes,
                        NS_GLOBAL float* per_tensor, const NS_GLOBAL float* clip_state, const NS_GLOBAL float* vector,
                        NS_GLOBAL float* features, int with_features, float lr, float beta1, float beta2, float lamb_power,
                        float lamb_min, float lamb_max, int lamb_ignore_vectors, float lamb_ombeta, int tensors, int t) {
    if (t >= tensors) return;
    float s[CIAO_SUMS];
    for (int q = 0; q < CIAO_SUMS; q++) s[q] = 0.0f;
    for (int c = first_chunk[t]; c < first_chunk[t + 1]; c++) {
        for (int q = 0; q < CIAO_SUMS; q++) s[q] += partials[(LOPT_LONG)c * CIAO_SUMS + q];
    }
    NS_GLOBAL float* pt = per_tensor + t * CIAO_PER_TENSOR;
    pt[0] = beta1 * pt[0] + (1.0f - beta1);
    pt[1] = beta2 * pt[1] + (1.0f - beta2);
    const float un2 = LOPT_SQRT(s[CIAO_UU]), pn = LOPT_SQRT(s[CIAO_PP]);
    float lr_t = lr;
    if (lamb_power > 0.0f && !(vector[t] != 0.0f && lamb_ignore_vectors)) {
        pt[2] = (1.0f - lamb_ombeta) * pt[2] + lamb_ombeta * un2;
        pt[3] = (1.0f - lamb_ombeta) * pt[3] + lamb_ombeta;
        const float un = pt[2] / pt[3];
        if (pn >= 1e-8f && un >= 1e-8f) lr_t = lr * LOPT_POW(LOPT_MAX(lamb_min, LOPT_MIN(lamb_max, pn / un)), lamb_power);
    }
    pt[4] = lr_t;
    if (!with_features) return;
    const int n = sizes[t];
    const float gn = LOPT_SQRT(s[CIAO_GG]), mn = LOPT_SQRT(s[CIAO_MM]), dn = LOPT_SQRT(s[CIAO_DD]), root = LOPT_SQRT((float)n);
    const float cgm = ci_cos(s[CIAO_GM], gn, mn), cgp = ci_cos(s[CIAO_GP], gn, pn), cgu = ci_cos(s[CIAO_GU], gn, un2);
    NS_GLOBAL float* f = features + (LOPT_LONG)t * CIAO_FEATURES;
    const float count = (float)(n > 1 ? n : 1);
    f[0] = clip_state[CIAO_CLIPPED];
    f[1] = s[CIAO_ABOVE] / count;
    f[2] = s[CIAO_LOGU] / count;
    f[3] = ci_log(mn) - ci_log(gn);
    f[4] = ci_log(lr_t * un2) - ci_log(pn);
    f[5] = ci_log(mn) - ci_log(dn);
    f[6] = cgm;
    f[7] = cgp;
    f[8] = cgu;
    f[9] = ci_log(pn) - ci_log(un2);
    f[10] = ci_logit_phi(cgm * root);
    f[11] = ci_logit_phi(cgu * root);
    f[12] = ci_phi(cgp * root);
}

// apply, over slab chunk c: u from the updated moments and p; p <- p - lr_t * u (p * (1 - lr_t * wd) first when the
// decay is not in the update).
NS_FN void ci_apply(NS_GLOBAL float* params, const NS_GLOBAL float* m, const NS_GLOBAL float* v,
                      const NS_GLOBAL float* per_tensor, float eps, float wd, int inf, int wd_in_update, C2_SLAB_TABLE,
                      int c, int lid) {
    LOPT_LONG begin, end;
    const int t = c2_slab_range(tensor_of, start_of, offsets, sizes, chunk, c, &begin, &end);
    const NS_GLOBAL float* pt = per_tensor + t * CIAO_PER_TENSOR;
    const float bc1 = pt[0], bc2 = pt[1], lr_t = pt[4];
    for (LOPT_LONG i = begin + lid; i < end; i += C2_GROUP) {
        const float p = params[i], u = ci_update(m[i], v[i], p, bc1, bc2, eps, wd, inf, wd_in_update);
        params[i] = (wd_in_update ? p : p * (1.0f - lr_t * wd)) - lr_t * u;
    }
}

#endif
