package org.lopt4j.tensor;

/**
 * Multi-tensor fused optimizer kernels over slabs (STYLE §3.6): every call is one pass (one launch) over all tensors of
 * a slab, whatever their number. Each kernel takes one flat argument record: slab buffers (the slabs' flat 1-D
 * tensors, all of one length and dtype), the chunk-table buffers of {@link Chunks}, then scalars. A record's component
 * order is the CUDA kernel's parameter order. Buffers are updated in place; an optional buffer is {@code null} exactly
 * when the flag that uses it is 0. Scalars are double: a float kernel computes derived constants such as {@code 1 − β}
 * in double before rounding ({@code 1 − 0.999f} is 1.3e-5 off in float). Implementations: {@code cpu.ref.RefFusedOps} (the plain-loop twins, the definition),
 * {@code cpu.fused.SimdFusedOps} (Vector API, both cores).
 */
public interface FusedOps {
    /** Short name, e.g. "ref", "simd-256". */
    String name();

    /**
     * Gradient statistics in one pass, optionally transforming the gradient in place first. Per element:
     * {@code bad = !finite(g)}; {@code g ← zeroNonFinite && bad ? 0 : g}; {@code g ← g + weightDecay·p};
     * {@code g ← clip(g, −clipValue, clipValue)} when {@code clipValue > 0}. Writes {@code stats[0] = Σ g²} (after the
     * transform) and {@code stats[1]} = the number of non-finite input elements.
     */
    void gradStats(GradStatsArgs a);

    /** {@code p ← p − lr·g}. */
    void sgd(SgdArgs a);

    /** {@code b ← μ·b + g}; {@code p ← p − lr·b}, or {@code p ← p − lr·(g + μ·b)} with Nesterov. */
    void momentum(MomentumArgs a);

    /**
     * Adam with eps_root and decoupled weight decay: {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
     * {@code p ← p − lr·((m/bc1) / (sqrt(v/bc2 + epsRoot) + eps) + wd·p)} with {@code bc = 1 − β^t}.
     */
    void adamw(AdamwArgs a);

    /**
     * learned_optimization's NAdamW: {@code g ← g − l2·p}; moments as Adam; {@code num = nesterov ? β1·m + (1−β1)·g : m};
     * {@code p ← p − (lrT·num/(sqrt(v) + eps) + lrT·wd·p)} with the bias-corrected {@code lrT}.
     */
    void nadamw(NadamwArgs a);

    /**
     * RMSProp: {@code v ← ρ·v + (1−ρ)·g²}; centered: {@code mg ← ρ·mg + (1−ρ)·g}, {@code var = v − mg²}, else
     * {@code var = v}; {@code u = g/sqrt(var + eps)} (epsInSqrt) or {@code g/(sqrt(var) + eps)}; momentum μ > 0:
     * {@code b ← μ·b + u}, {@code u = b} (Nesterov: {@code u = u + μ·b}); {@code p ← p − lr·u}.
     */
    void rmsprop(RmspropArgs a);

    /** Lion: {@code u = sign(β1·m + (1−β1)·g) + wd·p}; {@code m ← β2·m + (1−β2)·g}; {@code p ← p − lr·u}. */
    void lion(LionArgs a);

    /**
     * Adafactor pass 1 over the parameter chunks: {@code G = g² + eps}; factored tensors add G into {@code rowAcc}
     * (axis d0 summed) and {@code colAcc} (axis d1 summed); others update {@code v ← ρ·v + (1−ρ)·G}; every tensor adds
     * {@code p²} into {@code sums[2t]}. {@code rowAcc}, {@code colAcc}, {@code rowMean} and {@code sums} must be zero.
     */
    void adafactorMoments(AdafactorArgs a);

    /**
     * Adafactor pass 2 over the row and column accumulators: {@code vRow ← ρ·vRow + (1−ρ)·rowAcc/n0},
     * {@code vCol ← ρ·vCol + (1−ρ)·colAcc/n1}, {@code rowMean ← mean over d1 of vRow}.
     */
    void adafactorFactors(AdafactorArgs a);

    /** Adafactor pass 3: the unscaled update {@code u} of each element, {@code Σ u²} into {@code sums[2t + 1]}. */
    void adafactorNorms(AdafactorArgs a);

    /**
     * Adafactor pass 4: {@code u ← u·lr/max(1, rms(u)/clip)}, times {@code max(rms(p), 1e-3)} when
     * multiplyByParameterScale; momentum {@code b ← μ·b + (1−μ)·u}, {@code u = b}; {@code p ← p − (u + wdRate·p)}.
     */
    void adafactorApply(AdafactorArgs a);

    /** The learned-optimizer passes of this backend. */
    LearnedOps learned();

    /**
     * apex's block → (tensor, chunk) table for one slab layout, as device buffers (I32): chunk {@code c} covers
     * elements {@code [offsets[t] + startOf[c], offsets[t] + min(startOf[c] + chunk, sizes[t]))} of the flat slab,
     * {@code t = tensorOf[c]}. Built once per layout (at an optimizer's {@code init}).
     */
    record Chunks(Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk) {
        /** Elements per chunk: apex's multi-tensor-apply chunk size. */
        public static final int CHUNK = 1 << 16;

        /** The table of {@code layout} on backend {@code b} with {@link #CHUNK}-element chunks. */
        public static Chunks of(SlabLayout layout, Backend b) { return of(layout, b, CHUNK); }

        /** The table of {@code layout} on backend {@code b} with {@code chunk}-element chunks. */
        public static Chunks of(SlabLayout layout, Backend b, int chunk) {
            ChunkTable t = layout.chunks(chunk);
            int[] sizes = new int[layout.count()];
            for (int i = 0; i < sizes.length; i++) sizes[i] = layout.numel(i);
            return new Chunks(ints(b, t.tensorOf()), ints(b, t.startOf()), ints(b, layout.offsets()), ints(b, sizes), chunk);
        }

        /** Number of chunks. */
        public int count() { return tensorOf.numel(); }

        private static Tensor ints(Backend b, int[] a) { return Tensor.of(b, a, a.length); }
    }

    /** Arguments of {@link #gradStats}: {@code stats} has 2 elements of the slab dtype. */
    record GradStatsArgs(Tensor params, Tensor grads, Tensor stats,
                         Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                         double weightDecay, double clipValue, int zeroNonFinite) {}

    /** Arguments of {@link #sgd}. */
    record SgdArgs(Tensor params, Tensor grads,
                   Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                   double lr) {}

    /** Arguments of {@link #momentum}. */
    record MomentumArgs(Tensor params, Tensor grads, Tensor trace,
                        Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                        double lr, double momentum, int nesterov) {}

    /** Arguments of {@link #adamw}. */
    record AdamwArgs(Tensor params, Tensor grads, Tensor m, Tensor v,
                     Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                     double lr, double beta1, double beta2, double eps, double epsRoot, double weightDecay,
                     double biasCorrection1, double biasCorrection2) {}

    /** Arguments of {@link #nadamw}. */
    record NadamwArgs(Tensor params, Tensor grads, Tensor m, Tensor v,
                      Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                      double lrT, double beta1, double beta2, double eps, double adamwWeightDecay,
                      double l2WeightDecay, int nesterov) {}

    /** Arguments of {@link #rmsprop}: {@code mg} null unless centered, {@code trace} null unless momentum > 0. */
    record RmspropArgs(Tensor params, Tensor grads, Tensor v, Tensor mg, Tensor trace,
                       Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                       double lr, double decay, double eps, int epsInSqrt, int centered, double momentum, int nesterov) {}

    /** Arguments of {@link #lion}. */
    record LionArgs(Tensor params, Tensor grads, Tensor m,
                    Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                    double lr, double beta1, double beta2, double weightDecay) {}

    /**
     * Arguments of the four Adafactor passes. {@code vRow}, {@code vCol}, {@code v} are state slabs with one entry per
     * parameter tensor (empty where unused); {@code rowAcc}/{@code colAcc} are zeroed scratch shaped like
     * {@code vRow}/{@code vCol}, {@code rowMean} zeroed scratch for each factored tensor's row means, {@code sums}
     * zeroed scratch for {@code [Σp², Σu²]} per tensor; {@code trace} is null unless momentum > 0. {@code factors}
     * (I32) holds {@link #FIELDS} ints per tensor, indexed by the constants below: element e of a factored tensor has
     * row index {@code e/span0·lo0 + e%lo0} (axis d0 removed), column index {@code e/span1·lo1 + e%lo1} (axis d1
     * removed), and row r has row-mean index {@code r/spanR·loR + r%loR} (axis d1 removed from the row shape).
     */
    record AdafactorArgs(Tensor params, Tensor grads, Tensor vRow, Tensor vCol, Tensor v, Tensor trace,
                         Tensor rowAcc, Tensor colAcc, Tensor rowMean, Tensor sums, Tensor factors,
                         Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                         double rho, double eps, double lr, double clippingThreshold, int multiplyByParameterScale,
                         double momentum, double weightDecayRate) {
        /** Per-tensor fields of {@code factors}: 1 when factored; offsets into vRow, vCol, v, rowMean; strides. */
        public static final int FACTORED = 0, ROW_OFFSET = 1, COL_OFFSET = 2, V_OFFSET = 3, MEAN_OFFSET = 4,
                LO0 = 5, SPAN0 = 6, LO1 = 7, SPAN1 = 8, LOR = 9, SPANR = 10, FIELDS = 11;
    }
}
