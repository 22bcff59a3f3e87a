package org.lopt4j.opencl;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs;
import org.lopt4j.tensor.Tensor;

/**
 * small_fc_lopt's step on OpenCL (small_fc_lopt.cl with learned_rule.cuh, the code the CUDA kernels share, and
 * learned.cl): six launches for every tensor of every member, whatever their number (two more than CUDA: the feature
 * scales and time features are passes of their own; three more with a gradient norm limit). The per-group feature partials are scratch of each call. The
 * accumulator passes and the feature-scale pass serve VeLO too ({@link OpenClVelo}).
 */
final class OpenClSmallFcLopt {
    private static final int FEATURES = SmallFcLoptArgs.FEATURES, TIME = 11;

    private OpenClSmallFcLopt() {}

    static void run(OpenClBackend b, SmallFcLoptArgs sa) {
        FactoredArgs a = sa.state();
        if (!check(b, a, "small_fc_lopt")) return;
        if (sa.hidden() > SmallFcLoptArgs.MAX_WIDTH || sa.layers() + 1 > SmallFcLoptArgs.MAX_LAYERS) {
            throw new IllegalArgumentException("small_fc_lopt kernels on " + b.name() + " take hidden widths up to " + SmallFcLoptArgs.MAX_WIDTH
                    + " and up to " + (SmallFcLoptArgs.MAX_LAYERS - 1) + " hidden layers, got " + sa.hidden() + " x " + sa.layers());
        }
        LaunchSize elements = elements(b, a);
        int perChunk = Math.toIntExact(elements.global()[0] / b.groupSize());
        if (sa.maxGradNorm() > 0) clip(b, a, sa.maxGradNorm(), elements, perChunk);
        accumulators(b, ClProgram.SMALL_FC_LOPT, a);
        OpenClStorage partials = new OpenClStorage(b, DType.F32, a.tensorOf().numel() * perChunk * FEATURES);
        try {
            b.launch(ClProgram.SMALL_FC_LOPT, DType.F32, "small_fc_lopt_feature_sums", elements, table(b, state(b, a).mem(i32(b, a.info(), "info"))
                    .mem(partials), a).local((long) FEATURES * b.groupSize() * Float.BYTES));
            OpenClStorage scale = new OpenClStorage(b, DType.F32, a.sizes().numel() * FEATURES);
            OpenClStorage time = new OpenClStorage(b, DType.F32, a.sizes().numel() * TIME);
            try {
                scale(b, ClProgram.SMALL_FC_LOPT, partials, perChunk, FEATURES, true, a.firstChunk(), a.sizes(), scale);
                time(b, ClProgram.SMALL_FC_LOPT, a.count(), a.countStride(), a.sizes().numel(), time);
                b.launch(ClProgram.SMALL_FC_LOPT, DType.F32, "small_fc_lopt_apply", elements, table(b, state(b, a).mem(i32(b, a.info(), "info"))
                        .mem(scale).mem(f32(b, sa.theta(), "theta")).i32(sa.thetaStride()).mem(time)
                        .i32(sa.hidden()).i32(sa.layers()).real(DType.F32, sa.expMult()).real(DType.F32, sa.stepScale())
                        .mem(f32(b, sa.tensorScales(), "tensorScales")).real(DType.F32, sa.paramDecay()), a)
                        .mem(f32(b, a.gradStats(), "gradStats")).i32(a.skipNonFinite()));
            } finally {
                scale.release();
                time.release();
            }
        } finally {
            partials.release();   // freed by OpenCL once the queued launches are done
        }
    }

    /**
     * PyLO's max_grad_norm before the step: per-group sums of g², per-tensor sums (learned_feature_scales), then each
     * gradient scaled in place; three launches, their scratch per call like the feature partials.
     */
    private static void clip(OpenClBackend b, FactoredArgs a, double maxNorm, LaunchSize elements, int perChunk) {
        OpenClStorage partials = new OpenClStorage(b, DType.F32, a.tensorOf().numel() * perChunk);
        OpenClStorage sums = new OpenClStorage(b, DType.F32, a.sizes().numel());
        try {
            OpenClStorage grads = f32(b, a.grads(), "grads"), stats = f32(b, a.gradStats(), "gradStats");
            b.launch(ClProgram.SMALL_FC_LOPT, DType.F32, "small_fc_lopt_grad_norms", elements, table(b, new KernelArgs().mem(grads).mem(partials), a)
                    .local((long) b.groupSize() * Float.BYTES).mem(stats).i32(a.skipNonFinite()));
            scale(b, ClProgram.SMALL_FC_LOPT, partials, perChunk, 1, false, a.firstChunk(), a.sizes(), sums);
            b.launch(ClProgram.SMALL_FC_LOPT, DType.F32, "small_fc_lopt_clip", elements, table(b, new KernelArgs().mem(grads).mem(sums)
                    .real(DType.F32, maxNorm), a).mem(stats).i32(a.skipNonFinite()));
        } finally {
            partials.release();
            sums.release();
        }
    }

    /** Checks the slab buffers; false when there is nothing to do (no chunks). */
    static boolean check(OpenClBackend b, FactoredArgs a, String what) {
        Tensor p = a.params();
        if (p == null || p.dtype() != DType.F32) throw new IllegalArgumentException(what + " on " + b.name() + ": params must be F32, got " + p);
        org.lopt4j.tensor.cpu.ref.RefFusedOps.sameShape(p, a.grads(), a.m0(), a.m1(), a.m2(), a.v());
        return a.tensorOf().numel() > 0;
    }

    /** The 2-D NDRange over the slab's chunk table. */
    static LaunchSize elements(OpenClBackend b, FactoredArgs a) {
        int group = b.groupSize();
        long extent = Math.ceilDiv(Math.max(1, Math.min(a.chunk(), a.params().numel())), group) * group;
        return new LaunchSize(new long[] {extent, a.tensorOf().numel()}, new long[] {group, 1});
    }

    /**
     * Passes 1–2: momenta, RMS, diagonal and factored accumulators in one launch (its NDRange covers the element
     * chunks and the accumulator chunks); row means.
     */
    static void accumulators(OpenClBackend b, ClProgram program, FactoredArgs a) {
        int group = b.groupSize(), chunks = a.tensorOf().numel();
        OpenClStorage decays = f32(b, a.decays(), "decays"), info = i32(b, a.info(), "info");
        OpenClStorage r0 = f32(b, a.r0(), "r0"), r1 = f32(b, a.r1(), "r1"), r2 = f32(b, a.r2(), "r2");
        int rowChunks = a.rowTensorOf().numel(), accChunks = rowChunks + a.colTensorOf().numel();
        long extent = Math.max(elements(b, a).global()[0], Math.ceilDiv(a.auxChunk(), group) * (long) group);
        b.launch(program, DType.F32, "small_fc_lopt_accumulate",
                new LaunchSize(new long[] {extent, chunks + accChunks}, new long[] {group, 1}),
                table(b, new KernelArgs().mem(f32(b, a.grads(), "grads")).mem(f32(b, a.m0(), "m0")).mem(f32(b, a.m1(), "m1"))
                        .mem(f32(b, a.m2(), "m2")).mem(f32(b, a.v(), "v")).mem(r0).mem(r1).mem(r2).mem(f32(b, a.c0(), "c0"))
                        .mem(f32(b, a.c1(), "c1")).mem(f32(b, a.c2(), "c2")).mem(decays).mem(info), a)
                        .i32(chunks).mem(i32(b, a.rowTensorOf(), "rowTensorOf")).mem(i32(b, a.rowStartOf(), "rowStartOf"))
                        .i32(rowChunks).mem(i32(b, a.colTensorOf(), "colTensorOf")).mem(i32(b, a.colStartOf(), "colStartOf"))
                        .i32(a.auxChunk()).mem(f32(b, a.count(), "count")).i32(a.countStride()).mem(f32(b, a.gradStats(), "gradStats"))
                        .i32(a.skipNonFinite()).mem(f32(b, a.skips(), "skips")));
        int meanChunks = a.meanTensorOf().numel();
        if (meanChunks > 0) {
            b.launch(program, DType.F32, "small_fc_lopt_row_means", aux(group, a.auxChunk(), meanChunks), new KernelArgs()
                    .mem(r0).mem(r1).mem(r2).mem(f32(b, a.rowMean(), "rowMean")).i32(a.meanTotal()).mem(info)
                    .mem(i32(b, a.meanTensorOf(), "meanTensorOf")).mem(i32(b, a.meanStartOf(), "meanStartOf")).i32(a.auxChunk()));
        }
    }

    /** learned_time_features: the 11 time features of {@code tensors} update counts {@code stride} apart, into {@code time}. */
    static void time(OpenClBackend b, ClProgram program, Tensor count, int stride, int tensors, OpenClStorage time) {
        int group = b.groupSize();
        b.launch(program, DType.F32, "learned_time_features", LaunchSize.groups(Math.ceilDiv(tensors * TIME, group), group),
                new KernelArgs().mem(f32(b, count, "count")).i32(stride).mem(time).i32(tensors));
    }

    /**
     * learned_feature_scales over the tensors of {@code sizes}: per-tensor scales 1/sqrt(1e-5 + mean square) of
     * {@code features} features when {@code normalize}, else the plain per-tensor sums.
     */
    static void scale(OpenClBackend b, ClProgram program, OpenClStorage partials, int perChunk, int features, boolean normalize,
                      Tensor firstChunk, Tensor sizes, OpenClStorage scale) {
        int group = b.groupSize(), tensors = sizes.numel();
        b.launch(program, DType.F32, "learned_feature_scales", LaunchSize.groups(Math.ceilDiv(tensors * features, group), group),
                new KernelArgs().mem(partials).i32(perChunk).i32(features).real(DType.F32, 1e-5).i32(normalize ? 1 : 0)
                        .mem(i32(b, firstChunk, "firstChunk")).mem(i32(b, sizes, "sizes")).mem(scale).i32(tensors));
    }

    /** params, grads, the ten state slabs, row means and mean_total: the leading arguments of the feature kernels. */
    static KernelArgs state(OpenClBackend b, FactoredArgs a) {
        return new KernelArgs().mem(f32(b, a.params(), "params")).mem(f32(b, a.grads(), "grads")).mem(f32(b, a.m0(), "m0"))
                .mem(f32(b, a.m1(), "m1")).mem(f32(b, a.m2(), "m2")).mem(f32(b, a.v(), "v")).mem(f32(b, a.r0(), "r0"))
                .mem(f32(b, a.r1(), "r1")).mem(f32(b, a.r2(), "r2")).mem(f32(b, a.c0(), "c0")).mem(f32(b, a.c1(), "c1"))
                .mem(f32(b, a.c2(), "c2")).mem(f32(b, a.rowMean(), "rowMean")).i32(a.meanTotal());
    }

    /** The 2-D NDRange of an accumulator pass: {@code chunk} positions (whole groups) by {@code chunks} entries. */
    private static LaunchSize aux(int group, int chunk, int chunks) {
        return new LaunchSize(new long[] {Math.ceilDiv(chunk, group) * (long) group, chunks}, new long[] {group, 1});
    }

    static KernelArgs table(OpenClBackend b, KernelArgs k, FactoredArgs a) {
        return k.mem(i32(b, a.tensorOf(), "tensorOf")).mem(i32(b, a.startOf(), "startOf")).mem(i32(b, a.offsets(), "offsets"))
                .mem(i32(b, a.sizes(), "sizes")).i32(a.chunk());
    }

    static OpenClStorage f32(OpenClBackend b, Tensor t, String role) { return buffer(b, t, DType.F32, role); }

    static OpenClStorage i32(OpenClBackend b, Tensor t, String role) { return buffer(b, t, DType.I32, role); }

    private static OpenClStorage buffer(OpenClBackend b, Tensor t, DType d, String role) {
        if (t == null || t.dtype() != d || t.offset() != 0) {
            throw new IllegalArgumentException("learned optimizer kernel on " + b.name() + ": '" + role + "' must be a whole " + d + " buffer, got " + t);
        }
        return b.mem(t);
    }
}
