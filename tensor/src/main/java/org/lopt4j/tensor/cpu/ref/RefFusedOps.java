package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * The plain-loop twins of the fused optimizer kernels: the definition every faster {@link FusedOps} is tested
 * against. One element at a time in double, rounded once to the buffer's dtype on store; single-threaded, looping
 * over chunk-table entries, then elements (the CUDA kernels' blocks, then threads). CPU storages only.
 */
public final class RefFusedOps implements FusedOps {
    public static final RefFusedOps INSTANCE = new RefFusedOps();

    private RefFusedOps() {}

    @Override public String name() { return "ref"; }
    @Override public org.lopt4j.tensor.LearnedOps learned() { return org.lopt4j.tensor.cpu.CpuLearnedKernels.reference(); }
    @Override public void gradStats(GradStatsArgs a) { FusedGradStatsRef.apply(a); }
    @Override public void sgd(SgdArgs a) { FusedSgdRef.apply(a); }
    @Override public void momentum(MomentumArgs a) { FusedSgdRef.momentum(a); }
    @Override public void adamw(AdamwArgs a) { FusedAdamwRef.apply(a); }
    @Override public void nadamw(NadamwArgs a) { FusedNadamwRef.apply(a); }
    @Override public void rmsprop(RmspropArgs a) { FusedRmspropRef.apply(a); }
    @Override public void lion(LionArgs a) { FusedLionRef.apply(a); }
    @Override public void adafactorMoments(AdafactorArgs a) { FusedAdafactorRef.moments(a); }
    @Override public void adafactorFactors(AdafactorArgs a) { FusedAdafactorRef.factors(a); }
    @Override public void adafactorNorms(AdafactorArgs a) { FusedAdafactorRef.norms(a); }
    @Override public void adafactorApply(AdafactorArgs a) { FusedAdafactorRef.apply(a); }

    /** The CPU storage behind a whole F32/F64 buffer, with a clear error for anything else. */
    public static CpuStorage cpu(Tensor t, String role) {
        if (t == null) throw new IllegalArgumentException("fused kernel: buffer '" + role + "' is missing");
        if (!(t.storage() instanceof CpuStorage c) || !t.dtype().isFloating() || t.offset() != 0) {
            throw new IllegalArgumentException("fused kernel: '" + role + "' must be an F32/F64 CPU buffer at offset 0, got " + t);
        }
        return c;
    }

    /** Checks that {@code bufs} all have {@code ref}'s length and dtype. */
    public static void sameShape(Tensor ref, Tensor... bufs) {
        for (Tensor b : bufs) {
            if (b != null && (b.numel() != ref.numel() || b.dtype() != ref.dtype())) {
                throw new IllegalArgumentException("fused kernel: slab buffers differ: " + ref + " and " + b);
            }
        }
    }
}
