package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * The fused optimizer passes on CUDA (fused_*.cu): one launch per call over every tensor of the slab, one block per
 * chunk-table entry; the chunk table stays on the device from the optimizer's {@code init}. Slab buffers must be
 * whole F32 buffers of this backend, the table I32. Adafactor has no kernel yet: its passes copy the buffers to the
 * host, run the plain-loop twins and copy them back (correct, slow; one log line on first use).
 */
final class CudaFusedOps implements FusedOps {
    /** Threads per block: each thread strides over its block's chunk (65,536 elements by default). */
    static final int THREADS = 256;
    private static final System.Logger LOG = System.getLogger(CudaFusedOps.class.getName());

    private final CudaBackend b;
    private final LearnedOps learned;
    private volatile boolean adafactorLogged;

    CudaFusedOps(CudaBackend b) {
        this.b = b;
        this.learned = new CudaLearnedOps(b);
    }

    @Override public String name() { return "cuda"; }

    @Override public void gradStats(GradStatsArgs a) {
        CUdeviceptr stats = slab(a.stats(), "stats");
        if (a.stats().numel() < 2) throw new IllegalArgumentException("gradStats: 'stats' needs 2 elements, got " + a.stats());
        check(a.params(), a.grads());
        if (a.tensorOf().numel() == 0) {
            b.memset32(stats, 0, 2);
            return;
        }
        b.memset32(stats, 0, 2);   // the blocks add their partial sums atomically
        launch(Kernels.FUSED_GRAD_STATS_APPLY, a.tensorOf(), new FusedArgs.GradStats(slab(a.params(), "params"),
                slab(a.grads(), "grads"), stats, table(a.tensorOf(), "tensorOf"), table(a.startOf(), "startOf"),
                table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(), a.weightDecay(), a.clipValue(),
                a.zeroNonFinite()));
    }

    @Override public void sgd(SgdArgs a) {
        check(a.params(), a.grads());
        launch(Kernels.FUSED_SGD_APPLY, a.tensorOf(), new FusedArgs.Sgd(slab(a.params(), "params"), slab(a.grads(), "grads"),
                table(a.tensorOf(), "tensorOf"), table(a.startOf(), "startOf"), table(a.offsets(), "offsets"),
                table(a.sizes(), "sizes"), a.chunk(), a.lr()));
    }

    @Override public void momentum(MomentumArgs a) {
        check(a.params(), a.grads(), a.trace());
        launch(Kernels.FUSED_SGD_MOMENTUM, a.tensorOf(), new FusedArgs.Momentum(slab(a.params(), "params"),
                slab(a.grads(), "grads"), slab(a.trace(), "trace"), table(a.tensorOf(), "tensorOf"),
                table(a.startOf(), "startOf"), table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(),
                a.lr(), a.momentum(), a.nesterov()));
    }

    @Override public void adamw(AdamwArgs a) {
        check(a.params(), a.grads(), a.m(), a.v());
        launch(Kernels.FUSED_ADAMW_APPLY, a.tensorOf(), new FusedArgs.Adamw(slab(a.params(), "params"),
                slab(a.grads(), "grads"), slab(a.m(), "m"), slab(a.v(), "v"), table(a.tensorOf(), "tensorOf"),
                table(a.startOf(), "startOf"), table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(),
                a.lr(), a.beta1(), a.beta2(), a.eps(), a.epsRoot(), a.weightDecay(), a.biasCorrection1(),
                a.biasCorrection2()));
    }

    @Override public void nadamw(NadamwArgs a) {
        check(a.params(), a.grads(), a.m(), a.v());
        launch(Kernels.FUSED_NADAMW_APPLY, a.tensorOf(), new FusedArgs.Nadamw(slab(a.params(), "params"),
                slab(a.grads(), "grads"), slab(a.m(), "m"), slab(a.v(), "v"), table(a.tensorOf(), "tensorOf"),
                table(a.startOf(), "startOf"), table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(),
                a.lrT(), a.beta1(), a.beta2(), a.eps(), a.adamwWeightDecay(), a.l2WeightDecay(), a.nesterov()));
    }

    @Override public void rmsprop(RmspropArgs a) {
        check(a.params(), a.grads(), a.v(), a.mg(), a.trace());
        CUdeviceptr p = slab(a.params(), "params");
        CUdeviceptr mg = a.centered() != 0 ? slab(a.mg(), "mg") : p;
        CUdeviceptr trace = a.momentum() > 0 ? slab(a.trace(), "trace") : p;
        launch(Kernels.FUSED_RMSPROP_APPLY, a.tensorOf(), new FusedArgs.Rmsprop(p, slab(a.grads(), "grads"),
                slab(a.v(), "v"), mg, trace, table(a.tensorOf(), "tensorOf"), table(a.startOf(), "startOf"),
                table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(), a.lr(), a.decay(), a.eps(),
                a.epsInSqrt(), a.centered(), a.momentum(), a.nesterov()));
    }

    @Override public void lion(LionArgs a) {
        check(a.params(), a.grads(), a.m());
        launch(Kernels.FUSED_LION_APPLY, a.tensorOf(), new FusedArgs.Lion(slab(a.params(), "params"),
                slab(a.grads(), "grads"), slab(a.m(), "m"), table(a.tensorOf(), "tensorOf"), table(a.startOf(), "startOf"),
                table(a.offsets(), "offsets"), table(a.sizes(), "sizes"), a.chunk(), a.lr(), a.beta1(), a.beta2(),
                a.weightDecay()));
    }

    @Override public void adafactorMoments(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorMoments); }
    @Override public void adafactorFactors(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorFactors); }
    @Override public void adafactorNorms(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorNorms); }
    @Override public void adafactorApply(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorApply); }

    @Override public LearnedOps learned() { return learned; }

    // ---------------------------------------------------------------- helpers

    private void launch(KernelSpec spec, Tensor tensorOf, Record args) {
        int chunks = tensorOf.numel();
        if (chunks == 0) return;
        b.launch(spec, new LaunchGeometry(chunks, 1, 1, THREADS), args);
    }

    /** A whole F32 slab buffer of this backend. */
    private CUdeviceptr slab(Tensor t, String role) {
        if (t == null) throw new IllegalArgumentException("fused kernel on " + b.name() + ": buffer '" + role + "' is missing");
        if (t.dtype() != DType.F32 || t.offset() != 0) {
            throw new IllegalArgumentException("fused kernel on " + b.name() + ": '" + role + "' must be an F32 buffer at offset 0, got " + t);
        }
        return b.ptr(t);
    }

    /** A whole I32 chunk-table buffer of this backend. */
    private CUdeviceptr table(Tensor t, String role) {
        if (t.dtype() != DType.I32 || t.offset() != 0) {
            throw new IllegalArgumentException("fused kernel on " + b.name() + ": '" + role + "' must be an I32 buffer at offset 0, got " + t);
        }
        return b.ptr(t);
    }

    private static void check(Tensor ref, Tensor... bufs) { RefFusedOps.sameShape(ref, bufs); }

    /** Runs a twin on host copies of every buffer and writes the F32 buffers back. */
    private void onHost(AdafactorArgs a, java.util.function.Consumer<AdafactorArgs> twin) {
        if (!adafactorLogged) {
            adafactorLogged = true;
            LOG.log(System.Logger.Level.INFO, "Adafactor on " + b.name() + " runs its plain-loop twin on the host (no kernel yet)");
        }
        Tensor[] dev = {a.params(), a.grads(), a.vRow(), a.vCol(), a.v(), a.trace(), a.rowAcc(), a.colAcc(), a.rowMean(),
                a.sums(), a.factors(), a.tensorOf(), a.startOf(), a.offsets(), a.sizes()};
        Tensor[] host = new Tensor[dev.length];
        for (int i = 0; i < dev.length; i++) host[i] = dev[i] == null ? null : dev[i].to(ScalarBackend.INSTANCE);
        twin.accept(new AdafactorArgs(host[0], host[1], host[2], host[3], host[4], host[5], host[6], host[7], host[8],
                host[9], host[10], host[11], host[12], host[13], host[14], a.chunk(), a.rho(), a.eps(), a.lr(),
                a.clippingThreshold(), a.multiplyByParameterScale(), a.momentum(), a.weightDecayRate()));
        for (int i = 0; i < 10; i++) {
            if (dev[i] != null && dev[i].numel() > 0) dev[i].storage().write(dev[i].offset(), host[i].toFloatArray());
        }
    }
}
