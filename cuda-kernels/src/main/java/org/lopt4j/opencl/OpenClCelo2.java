package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.Celo2Args;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;

/**
 * CELO2's step on OpenCL (celo2.cl with celo2.cuh, the code the CUDA kernels share): clips, small_fc_lopt's
 * accumulator passes, per-block feature scales, the split MLP into the step buffer, Newton–Schulz over every block,
 * the step's per-block scales and apply — a fixed number of launches for every tensor of every member.
 */
final class OpenClCelo2 {
    /** Work-items of a group (celo2.cuh's C2_GROUP). */
    static final int GROUP = 256;

    private OpenClCelo2() {}

    static void run(OpenClBackend b, Celo2Args c) {
        FactoredArgs a = c.state();
        if (!OpenClSmallFcLopt.check(b, a, "celo2")) return;
        if (c.hidden() > Celo2Args.MAX_HIDDEN) throw new IllegalArgumentException("celo2 kernels on " + b.name() + " take hidden widths up to " + Celo2Args.MAX_HIDDEN + ", got " + c.hidden());
        int slabChunks = a.tensorOf().numel(), blockChunks = c.blockOf().numel(), members = a.layout().count() / c.perMember();
        OpenClStorage grads = f32(b, a.grads(), "grads"), info = i32(b, a.info(), "info");
        if (c.clipNorm() > 0) {
            b.launch(ClProgram.CELO2, DType.F32, "celo2_grad_norms", LaunchSize.groups(slabChunks, GROUP),
                    slab(b, new KernelArgs().mem(grads).mem(f32(b, c.normPartials(), "normPartials")), a));
            b.launch(ClProgram.CELO2, DType.F32, "celo2_member_scales", LaunchSize.groups(members, GROUP), new KernelArgs()
                    .mem(f32(b, c.normPartials(), "normPartials")).mem(i32(b, a.firstChunk(), "firstChunk")).i32(c.perMember())
                    .real(DType.F32, c.clipNorm()).mem(f32(b, c.memberScales(), "memberScales")));
        }
        b.launch(ClProgram.CELO2, DType.F32, "celo2_clip", LaunchSize.groups(slabChunks, GROUP), slab(b, new KernelArgs().mem(grads).mem(info)
                .mem(f32(b, c.memberScales(), "memberScales")).i32(c.clipNorm() > 0 ? 1 : 0).real(DType.F32, c.gradClipVal()), a));
        OpenClSmallFcLopt.accumulators(b, ClProgram.SMALL_FC_LOPT, a);
        if (c.blockCount() > 0) {
            OpenClStorage partials = f32(b, c.partials(), "partials"), scales = f32(b, c.blockScales(), "blockScales");
            OpenClStorage step = f32(b, c.step(), "step");
            b.launch(ClProgram.CELO2, DType.F32, "celo2_feature_sums", LaunchSize.groups(blockChunks, GROUP),
                    blockTable(b, OpenClSmallFcLopt.state(b, a).mem(info).mem(partials), c));
            blockScales(b, partials, Celo2Args.FEATURES, c, scales);
            b.launch(ClProgram.CELO2, DType.F32, "celo2_mlp", LaunchSize.groups(blockChunks, GROUP), blockTable(b, OpenClSmallFcLopt.state(b, a)
                    .mem(info).mem(scales).mem(f32(b, c.theta(), "theta")).i32(c.thetaStride()).i32(c.hidden()).real(DType.F32, c.expMult())
                    .mem(step), c));
            if (c.orthogonalize()) OpenClNewtonSchulz.run(b, c.ns());
            b.launch(ClProgram.CELO2, DType.F32, "celo2_step_sums", LaunchSize.groups(blockChunks, GROUP),
                    blockTable(b, new KernelArgs().mem(step).mem(partials), c));
            blockScales(b, partials, 1, c, scales);
        }
        boolean shared = c.adamM() == null;
        OpenClStorage m0 = f32(b, a.m0(), "m0"), v = f32(b, a.v(), "v");
        b.launch(ClProgram.CELO2, DType.F32, "celo2_apply", LaunchSize.groups(slabChunks, GROUP), slab(b, new KernelArgs()
                .mem(f32(b, a.params(), "params")).mem(grads).mem(shared ? m0 : f32(b, c.adamM(), "adamM")).mem(shared ? v : f32(b, c.adamV(), "adamV"))
                .mem(m0).mem(v).mem(f32(b, a.count(), "count")).i32(a.countStride()).mem(f32(b, c.step(), "step"))
                .mem(f32(b, c.blockScales(), "blockScales")).mem(i32(b, c.blocks(), "blocks")).mem(i32(b, c.tensorBlock(), "tensorBlock"))
                .i32(shared ? 1 : 0).real(DType.F32, c.lr()).real(DType.F32, c.weightDecay()).real(DType.F32, c.adamLr())
                .real(DType.F32, c.adamWeightDecay()), a));
    }

    /** celo2_block_scales: a work-item per (block, feature). */
    private static void blockScales(OpenClBackend b, OpenClStorage partials, int features, Celo2Args c, OpenClStorage scales) {
        b.launch(ClProgram.CELO2, DType.F32, "celo2_block_scales", LaunchSize.groups(Math.ceilDiv(c.blockCount() * features, GROUP), GROUP),
                new KernelArgs().mem(partials).i32(features).mem(i32(b, c.blocks(), "blocks")).i32(c.blockCount()).mem(scales));
    }

    private static KernelArgs slab(OpenClBackend b, KernelArgs k, FactoredArgs a) { return OpenClSmallFcLopt.table(b, k, a); }

    private static KernelArgs blockTable(OpenClBackend b, KernelArgs k, Celo2Args c) {
        return k.mem(i32(b, c.blocks(), "blocks")).mem(i32(b, c.blockOf(), "blockOf")).mem(i32(b, c.blockStart(), "blockStart")).i32(c.blockChunk());
    }
}
