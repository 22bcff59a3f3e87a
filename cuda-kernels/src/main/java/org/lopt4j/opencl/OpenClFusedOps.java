package org.lopt4j.opencl;

import java.util.function.Consumer;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * The fused optimizer passes on OpenCL (fused.cl): one launch per call over every tensor of the slab, a 2-D NDRange
 * of (position in chunk, chunk-table entry); the chunk table stays on the device from the optimizer's {@code init}. Slab buffers must be
 * whole F32 (or, with cl_khr_fp64, F64) buffers of this backend, the table I32. Scalars go to the kernels as the
 * slab's type, derived constants ({@code 1 − β}, {@code lr·wd}) formed in double first. gradStats is two launches: the
 * pass writes one partial sum per chunk and a one-work-item kernel adds them in chunk order (deterministic bits).
 * Adafactor has no kernel yet: its passes copy the buffers to the host, run the plain-loop twins and copy them back
 * (correct, slow; one log line on first use), as the CUDA backend does.
 */
final class OpenClFusedOps implements FusedOps {
    private static final System.Logger LOG = System.getLogger(OpenClFusedOps.class.getName());

    private final OpenClBackend b;
    private final LearnedOps learned;
    private volatile boolean adafactorLogged;

    OpenClFusedOps(OpenClBackend b) {
        this.b = b;
        this.learned = new OpenClLearnedOps(b);
    }

    @Override public String name() { return "opencl"; }

    @Override public void gradStats(GradStatsArgs a) {
        if (a.stats() == null || a.stats().numel() < 2) throw new IllegalArgumentException("gradStats: 'stats' needs 2 elements, got " + a.stats());
        DType d = dtype(a.params(), a.grads());
        if (a.stats().dtype() != d) throw new IllegalArgumentException("gradStats: 'stats' must be " + d + ", got " + a.stats());
        int chunks = a.tensorOf().numel();
        DType wide = b.info().fp64() ? DType.F64 : DType.F32;
        LaunchSize size = size(chunks, a.chunk(), a.params().numel());
        int groups = chunks == 0 ? 0 : Math.toIntExact(size.global()[0] / b.groupSize() * chunks);
        OpenClStorage partials = new OpenClStorage(b, wide, 2 * Math.max(1, groups));
        try {
            if (chunks > 0) {
                b.launch(ClProgram.FUSED, d, "fused_grad_stats_apply", size, table(new KernelArgs()
                        .mem(slab(a.params(), "params")).mem(slab(a.grads(), "grads")).mem(partials), a.tensorOf(),
                        a.startOf(), a.offsets(), a.sizes(), a.chunk()).real(d, a.weightDecay()).real(d, a.clipValue())
                        .i32(a.zeroNonFinite()).local(2L * b.groupSize() * wide.byteSize()));
            }
            b.launch(ClProgram.FUSED, d, "fused_grad_stats_finish", LaunchSize.groups(1, 1), new KernelArgs()
                    .mem(partials).i32(groups).mem(slab(a.stats(), "stats")));
        } finally {
            partials.release();   // freed by OpenCL once the queued launches are done
        }
    }

    @Override public void sgd(SgdArgs a) {
        DType d = dtype(a.params(), a.grads());
        launch("fused_sgd_apply", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(slab(a.params(), "params"))
                .mem(slab(a.grads(), "grads")), a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk()).real(d, a.lr()));
    }

    @Override public void momentum(MomentumArgs a) {
        DType d = dtype(a.params(), a.grads(), a.trace());
        launch("fused_sgd_momentum", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(slab(a.params(), "params"))
                .mem(slab(a.grads(), "grads")).mem(slab(a.trace(), "trace")), a.tensorOf(), a.startOf(), a.offsets(),
                a.sizes(), a.chunk()).real(d, a.lr()).real(d, a.momentum()).i32(a.nesterov()));
    }

    @Override public void adamw(AdamwArgs a) {
        DType d = dtype(a.params(), a.grads(), a.m(), a.v());
        launch("fused_adamw_apply", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(slab(a.params(), "params"))
                .mem(slab(a.grads(), "grads")).mem(slab(a.m(), "m")).mem(slab(a.v(), "v")), a.tensorOf(), a.startOf(),
                a.offsets(), a.sizes(), a.chunk()).real(d, a.lr()).real(d, a.beta1()).real(d, a.beta2())
                .real(d, 1 - a.beta1()).real(d, 1 - a.beta2()).real(d, a.eps()).real(d, a.epsRoot()).real(d, a.weightDecay())
                .real(d, a.biasCorrection1()).real(d, a.biasCorrection2()));
    }

    @Override public void nadamw(NadamwArgs a) {
        DType d = dtype(a.params(), a.grads(), a.m(), a.v());
        launch("fused_nadamw_apply", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(slab(a.params(), "params"))
                .mem(slab(a.grads(), "grads")).mem(slab(a.m(), "m")).mem(slab(a.v(), "v")), a.tensorOf(), a.startOf(),
                a.offsets(), a.sizes(), a.chunk()).real(d, a.lrT()).real(d, a.beta1()).real(d, a.beta2())
                .real(d, 1 - a.beta1()).real(d, 1 - a.beta2()).real(d, a.eps()).real(d, a.lrT() * a.adamwWeightDecay())
                .real(d, a.l2WeightDecay()).i32(a.nesterov()));
    }

    @Override public void rmsprop(RmspropArgs a) {
        boolean centered = a.centered() != 0, withMomentum = a.momentum() > 0;
        DType d = dtype(a.params(), a.grads(), a.v(), centered ? a.mg() : null, withMomentum ? a.trace() : null);
        OpenClStorage p = slab(a.params(), "params");
        OpenClStorage mg = centered ? slab(a.mg(), "mg") : p;            // not touched by the kernel unless centered
        OpenClStorage trace = withMomentum ? slab(a.trace(), "trace") : p;   // nor unless momentum > 0
        launch("fused_rmsprop_apply", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(p).mem(slab(a.grads(), "grads"))
                .mem(slab(a.v(), "v")).mem(mg).mem(trace), a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk())
                .real(d, a.lr()).real(d, a.decay()).real(d, 1 - a.decay()).real(d, a.eps()).i32(a.epsInSqrt())
                .i32(centered ? 1 : 0).i32(withMomentum ? 1 : 0).real(d, a.momentum()).i32(a.nesterov()));
    }

    @Override public void lion(LionArgs a) {
        DType d = dtype(a.params(), a.grads(), a.m());
        launch("fused_lion_apply", d, a.tensorOf(), a.chunk(), a.params(), table(new KernelArgs().mem(slab(a.params(), "params"))
                .mem(slab(a.grads(), "grads")).mem(slab(a.m(), "m")), a.tensorOf(), a.startOf(), a.offsets(), a.sizes(),
                a.chunk()).real(d, a.lr()).real(d, a.beta1()).real(d, a.beta2()).real(d, 1 - a.beta1())
                .real(d, 1 - a.beta2()).real(d, a.weightDecay()));
    }

    @Override public void adafactorMoments(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorMoments); }
    @Override public void adafactorFactors(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorFactors); }
    @Override public void adafactorNorms(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorNorms); }
    @Override public void adafactorApply(AdafactorArgs a) { onHost(a, RefFusedOps.INSTANCE::adafactorApply); }

    @Override public LearnedOps learned() { return learned; }

    // ---------------------------------------------------------------- helpers

    private void launch(String kernel, DType d, Tensor tensorOf, int chunk, Tensor params, KernelArgs args) {
        int chunks = tensorOf.numel();
        if (chunks == 0) return;
        b.launch(ClProgram.FUSED, d, kernel, size(chunks, chunk, params.numel()), args);
    }

    /**
     * The 2-D NDRange of a pass: dimension 1 over the {@code chunks} table entries, dimension 0 over positions within
     * a chunk, as many as the longest chunk can have ({@code chunk}, or the slab length if shorter), rounded up to
     * whole work-groups.
     */
    private LaunchSize size(int chunks, int chunk, long slabLength) {
        int group = b.groupSize();
        long extent = Math.max(1, Math.min(chunk, slabLength));
        return new LaunchSize(new long[] {Math.ceilDiv(extent, group) * group, Math.max(1, chunks)}, new long[] {group, 1});
    }

    /** Appends the chunk-table arguments (CHUNK_TABLE in fused.cl). */
    private KernelArgs table(KernelArgs args, Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("fused kernel on " + b.name() + ": chunk must be >= 1, got " + chunk);
        return args.mem(index(tensorOf, "tensorOf")).mem(index(startOf, "startOf")).mem(index(offsets, "offsets"))
                .mem(index(sizes, "sizes")).i32(chunk);
    }

    /** The slab dtype of {@code ref}, which every other non-null buffer shares, with its length. */
    private DType dtype(Tensor ref, Tensor... bufs) {
        if (ref == null) throw new IllegalArgumentException("fused kernel on " + b.name() + ": buffer 'params' is missing");
        RefFusedOps.sameShape(ref, bufs);
        if (!ref.dtype().isFloating() || !b.supports(ref.dtype())) {
            throw new IllegalArgumentException("fused kernel on " + b.name() + ": slabs must be F32" + (b.info().fp64() ? " or F64" : "") + ", got " + ref);
        }
        return ref.dtype();
    }

    /** A whole slab buffer of this backend, at offset 0. */
    private OpenClStorage slab(Tensor t, String role) {
        if (t == null) throw new IllegalArgumentException("fused kernel on " + b.name() + ": buffer '" + role + "' is missing");
        if (!t.dtype().isFloating() || t.offset() != 0) {
            throw new IllegalArgumentException("fused kernel on " + b.name() + ": '" + role + "' must be a float buffer at offset 0, got " + t);
        }
        return b.mem(t);
    }

    /** A whole I32 chunk-table buffer of this backend. */
    private OpenClStorage index(Tensor t, String role) {
        if (t == null || t.dtype() != DType.I32 || t.offset() != 0) {
            throw new IllegalArgumentException("fused kernel on " + b.name() + ": '" + role + "' must be an I32 buffer at offset 0, got " + t);
        }
        return b.mem(t);
    }

    /** Runs a twin on host copies of every buffer and writes the float buffers back. */
    private void onHost(AdafactorArgs a, Consumer<AdafactorArgs> twin) {
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
            if (dev[i] == null || dev[i].numel() == 0) continue;
            switch (dev[i].dtype()) {
                case F32 -> dev[i].storage().write(dev[i].offset(), host[i].toFloatArray());
                case F64 -> dev[i].storage().write(dev[i].offset(), host[i].toDoubleArray());
                case I32 -> dev[i].storage().write(dev[i].offset(), host[i].toIntArray());
            }
        }
    }
}
