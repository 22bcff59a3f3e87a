package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.VeloArgs;

/**
 * VeLO's passes on OpenCL (velo.cl, with small_fc_lopt.cl's accumulator passes and learned_rule.cuh), for every tensor
 * whatever their number: before the tensor network the loss buffers (one launch), the statistics of the LSTM features
 * (two), the accumulators (small_fc_lopt's two passes with VeLO's fixed decays) and the LSTM inputs (one); after it
 * the feature sums, their scales and the apply (three).
 */
final class OpenClVelo {
    private static final int STATS = VeloArgs.STATS, FEATURES = VeloArgs.FEATURES;

    private OpenClVelo() {}

    /** The loss buffers, one work-item per tensor. */
    static void lossFeatures(OpenClBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        int tensors = a.sizes().numel(), group = b.groupSize();
        if (tensors == 0) return;
        b.launch(ClProgram.VELO, DType.F32, "velo_loss_features", LaunchSize.groups(Math.ceilDiv(tensors, group), group),
                new KernelArgs().mem(f32(b, v.lossBuffer(), "lossBuffer")).i32(v.lossStride()).mem(f32(b, v.losses(), "losses"))
                        .mem(f32(b, v.lossFeatures(), "lossFeatures")).mem(f32(b, v.fresh(), "fresh")).mem(i32(b, a.info(), "info"))
                        .i32(v.numSteps()).mem(f32(b, a.gradStats(), "gradStats")).i32(a.skipNonFinite()).i32(tensors));
    }

    /** The LSTM inputs and parameter scales, one work-item per tensor. */
    static void lstmFeatures(OpenClBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        int tensors = a.sizes().numel(), group = b.groupSize();
        if (tensors == 0) return;
        b.launch(ClProgram.VELO, DType.F32, "velo_lstm_features", LaunchSize.groups(Math.ceilDiv(tensors, group), group),
                new KernelArgs().mem(f32(b, v.stats(), "stats")).mem(f32(b, v.lossFeatures(), "lossFeatures")).mem(f32(b, a.count(), "count"))
                        .i32(a.countStride())
                        .mem(i32(b, a.info(), "info")).mem(i32(b, a.sizes(), "sizes")).i32(v.numSteps())
                        .mem(f32(b, v.lstmInputs(), "lstmInputs")).mem(f32(b, v.paramScale(), "paramScale")).i32(tensors));
    }

    static void accumulate(OpenClBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        if (!OpenClSmallFcLopt.check(b, a, "velo")) return;
        LaunchSize elements = OpenClSmallFcLopt.elements(b, a);
        int perChunk = Math.toIntExact(elements.global()[0] / b.groupSize());
        OpenClStorage partials = new OpenClStorage(b, DType.F32, a.tensorOf().numel() * perChunk * STATS);
        try {
            b.launch(ClProgram.VELO, DType.F32, "velo_stats", elements, OpenClSmallFcLopt.table(b, new KernelArgs()
                    .mem(f32(b, a.params(), "params")).mem(f32(b, a.v(), "v")).mem(f32(b, a.m0(), "m0")).mem(f32(b, a.m1(), "m1"))
                    .mem(f32(b, a.m2(), "m2")).mem(partials), a).local((long) STATS * b.groupSize() * Float.BYTES));
            OpenClSmallFcLopt.scale(b, ClProgram.VELO, partials, perChunk, STATS, false, a.firstChunk(), a.sizes(), f32(b, v.stats(), "stats"));
        } finally {
            partials.release();
        }
        OpenClSmallFcLopt.accumulators(b, ClProgram.VELO, a);
    }

    static void apply(OpenClBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        if (!OpenClSmallFcLopt.check(b, a, "velo")) return;
        LaunchSize elements = OpenClSmallFcLopt.elements(b, a);
        int perChunk = Math.toIntExact(elements.global()[0] / b.groupSize());
        OpenClStorage partials = new OpenClStorage(b, DType.F32, a.tensorOf().numel() * perChunk * FEATURES);
        try {
            b.launch(ClProgram.VELO, DType.F32, "velo_feature_sums", elements, OpenClSmallFcLopt.table(b,
                    OpenClSmallFcLopt.state(b, a).mem(i32(b, a.info(), "info")).mem(partials), a)
                    .local((long) FEATURES * b.groupSize() * Float.BYTES));
            OpenClStorage scale = new OpenClStorage(b, DType.F32, a.sizes().numel() * FEATURES);
            try {
                OpenClSmallFcLopt.scale(b, ClProgram.VELO, partials, perChunk, FEATURES, true, a.firstChunk(), a.sizes(), scale);
                b.launch(ClProgram.VELO, DType.F32, "velo_apply", elements, OpenClSmallFcLopt.table(b,
                        OpenClSmallFcLopt.state(b, a).mem(i32(b, a.info(), "info")).mem(scale)
                                .mem(f32(b, v.mixed(), "mixed")).mem(f32(b, v.step(), "step")).real(DType.F32, v.lr())
                                .real(DType.F32, v.paramDecay()), a)
                        .mem(f32(b, a.gradStats(), "gradStats")).i32(a.skipNonFinite()));
            } finally {
                scale.release();
            }
        } finally {
            partials.release();
        }
    }
}
