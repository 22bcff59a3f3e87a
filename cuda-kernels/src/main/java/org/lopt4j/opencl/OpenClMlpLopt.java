package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.MlpLoptArgs;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * MLPLOpt's step on OpenCL (mlp_lopt.cl with learned_rule.cuh, shared with the CUDA kernels, and learned.cl): four
 * launches for every tensor of every member — accumulate (momenta with per-group feature sums), feature scales, time
 * features, MLP and apply (two more than CUDA, whose partials are per chunk rather than per group: see learned.cl).
 */
final class OpenClMlpLopt {
    private static final int FEATURES = MlpLoptArgs.FEATURES;

    private OpenClMlpLopt() {}

    static void run(OpenClBackend b, MlpLoptArgs a) {
        if (a.params() == null || a.params().dtype() != DType.F32) throw new IllegalArgumentException("mlp_lopt on " + b.name() + ": params must be F32, got " + a.params());
        RefFusedOps.sameShape(a.params(), a.grads(), a.m0(), a.m1(), a.m2(), a.m3(), a.m4(), a.m5());
        int chunks = a.tensorOf().numel(), group = b.groupSize();
        if (chunks == 0) return;
        if (a.widest() > org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs.MAX_WIDTH) {
            throw new IllegalArgumentException("mlp_lopt kernels on " + b.name() + " take widths up to "
                    + org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs.MAX_WIDTH + ", got " + a.widest());
        }
        if (a.layers() > org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs.MAX_LAYERS) {
            throw new IllegalArgumentException("mlp_lopt kernels on " + b.name() + " take up to " + org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs.MAX_LAYERS + " layers");
        }
        OpenClStorage params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads");
        OpenClStorage m0 = f32(b, a.m0(), "m0"), m1 = f32(b, a.m1(), "m1"), m2 = f32(b, a.m2(), "m2");
        OpenClStorage m3 = f32(b, a.m3(), "m3"), m4 = f32(b, a.m4(), "m4"), m5 = f32(b, a.m5(), "m5");
        long extent = Math.ceilDiv(Math.max(1, Math.min(a.chunk(), a.params().numel())), group) * group;
        LaunchSize elements = new LaunchSize(new long[] {extent, chunks}, new long[] {group, 1});
        int perChunk = Math.toIntExact(extent / group);
        OpenClStorage partials = new OpenClStorage(b, DType.F32, chunks * perChunk * FEATURES);
        try {
            b.launch(ClProgram.MLP_LOPT, DType.F32, "mlp_lopt_accumulate", elements, table(b, new KernelArgs().mem(params).mem(grads)
                    .mem(m0).mem(m1).mem(m2).mem(m3).mem(m4).mem(m5).mem(f32(b, a.decays(), "decays")).mem(partials), a)
                    .local((long) FEATURES * group * Float.BYTES).mem(f32(b, a.count(), "count")).i32(a.countStride()).mem(f32(b, a.gradStats(), "gradStats"))
                    .i32(a.skipNonFinite()).mem(f32(b, a.skips(), "skips")));
            OpenClStorage scale = new OpenClStorage(b, DType.F32, a.sizes().numel() * FEATURES);
            OpenClStorage time = new OpenClStorage(b, DType.F32, a.sizes().numel() * 11);
            try {
                OpenClSmallFcLopt.scale(b, ClProgram.MLP_LOPT, partials, perChunk, FEATURES, true, a.firstChunk(), a.sizes(), scale);
                OpenClSmallFcLopt.time(b, ClProgram.MLP_LOPT, a.count(), a.countStride(), a.sizes().numel(), time);
                b.launch(ClProgram.MLP_LOPT, DType.F32, "mlp_lopt_apply", elements, table(b, new KernelArgs().mem(params).mem(grads)
                        .mem(m0).mem(m1).mem(m2).mem(m3).mem(m4).mem(m5).mem(scale).mem(f32(b, a.theta(), "theta"))
                        .i32(a.thetaStride()).mem(time).mem(i32(b, a.widths(), "widths")).i32(a.layers())
                        .i32(a.perMember()).real(DType.F32, a.expMult()).real(DType.F32, a.stepMult()), a)
                        .mem(f32(b, a.gradStats(), "gradStats")).i32(a.skipNonFinite()));
            } finally {
                scale.release();
                time.release();
            }
        } finally {
            partials.release();   // freed by OpenCL once the queued launches are done
        }
    }

    private static KernelArgs table(OpenClBackend b, KernelArgs k, MlpLoptArgs a) {
        return k.mem(i32(b, a.tensorOf(), "tensorOf")).mem(i32(b, a.startOf(), "startOf")).mem(i32(b, a.offsets(), "offsets"))
                .mem(i32(b, a.sizes(), "sizes")).i32(a.chunk());
    }
}
