package org.lopt4j.cuda;

import static org.lopt4j.cuda.CudaSmallFcLopt.f32;
import static org.lopt4j.cuda.CudaSmallFcLopt.i32;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.LearnedOps.Celo2Args;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;

/**
 * CELO2's step on CUDA (celo2.cu with celo2.cuh, the code the OpenCL program shares): clips, small_fc_lopt's
 * accumulator passes, per-block feature scales, the split MLP into the step buffer, Newton–Schulz over every block
 * (17 launches), the step's per-block scales and apply — a fixed number of launches for every tensor of every member.
 */
final class CudaCelo2 {
    /** Threads of a block (celo2.cuh's C2_GROUP). */
    static final int GROUP = 256;

    private CudaCelo2() {}

    static void run(CudaBackend b, Celo2Args c) {
        FactoredArgs a = c.state();
        if (a.tensorOf().numel() == 0) return;
        if (c.hidden() > Celo2Args.MAX_HIDDEN) throw new IllegalArgumentException("celo2 kernels on " + b.name() + " take hidden widths up to " + Celo2Args.MAX_HIDDEN + ", got " + c.hidden());
        CudaSmallFcLopt.Bufs d = CudaSmallFcLopt.Bufs.of(b, a, "celo2");
        int slabChunks = a.tensorOf().numel(), blockChunks = c.blockOf().numel(), members = a.layout().count() / c.perMember();
        LaunchGeometry perSlabChunk = new LaunchGeometry(slabChunks, 1, 1, GROUP), perBlockChunk = new LaunchGeometry(blockChunks, 1, 1, GROUP);
        CUdeviceptr memberScales = f32(b, c.memberScales(), "memberScales");
        if (c.clipNorm() > 0) {
            CUdeviceptr norms = f32(b, c.normPartials(), "normPartials");
            b.launch(Kernels.CELO2_GRAD_NORMS, perSlabChunk, new LearnedArgs.Celo2GradNorms(d.grads(), norms, d.tensorOf(), d.startOf(), d.offsets(),
                    d.sizes(), a.chunk()));
            b.launch(Kernels.CELO2_MEMBER_SCALES, new LaunchGeometry(members, 1, 1, GROUP), new LearnedArgs.Celo2MemberScales(norms,
                    i32(b, a.firstChunk(), "firstChunk"), c.perMember(), c.clipNorm(), memberScales));
        }
        b.launch(Kernels.CELO2_CLIP, perSlabChunk, new LearnedArgs.Celo2Clip(d.grads(), d.info(), memberScales, c.clipNorm() > 0 ? 1 : 0,
                c.gradClipVal(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk()));
        CudaSmallFcLopt.accumulators(b, a, d);
        CUdeviceptr blocks = i32(b, c.blocks(), "blocks"), step = f32(b, c.step(), "step"), scales = f32(b, c.blockScales(), "blockScales");
        if (c.blockCount() > 0) {
            CUdeviceptr partials = f32(b, c.partials(), "partials"), blockOf = i32(b, c.blockOf(), "blockOf");
            CUdeviceptr blockStart = i32(b, c.blockStart(), "blockStart");
            b.launch(Kernels.CELO2_FEATURE_SUMS, perBlockChunk, new LearnedArgs.Celo2FeatureSums(d.params(), d.grads(), d.m0(), d.m1(), d.m2(),
                    d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(), d.info(), partials, blocks, blockOf,
                    blockStart, c.blockChunk()));
            blockScales(b, partials, Celo2Args.FEATURES, blocks, c.blockCount(), scales);
            b.launch(Kernels.CELO2_MLP, perBlockChunk, new LearnedArgs.Celo2Mlp(d.params(), d.grads(), d.m0(), d.m1(), d.m2(), d.v(), d.r0(),
                    d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(), d.info(), scales, f32(b, c.theta(), "theta"),
                    c.thetaStride(), c.hidden(), c.expMult(), step, blocks, blockOf, blockStart, c.blockChunk()));
            if (c.orthogonalize()) CudaNewtonSchulz.run(b, c.ns());
            b.launch(Kernels.CELO2_STEP_SUMS, perBlockChunk, new LearnedArgs.Celo2StepSums(step, partials, blocks, blockOf, blockStart, c.blockChunk()));
            blockScales(b, partials, 1, blocks, c.blockCount(), scales);
        }
        boolean shared = c.adamM() == null;
        b.launch(Kernels.CELO2_APPLY, perSlabChunk, new LearnedArgs.Celo2Apply(d.params(), d.grads(), shared ? d.m0() : f32(b, c.adamM(), "adamM"),
                shared ? d.v() : f32(b, c.adamV(), "adamV"), d.m0(), d.v(), f32(b, a.count(), "count"), a.countStride(), step, scales, blocks,
                i32(b, c.tensorBlock(), "tensorBlock"), shared ? 1 : 0, c.lr(), c.weightDecay(), c.adamLr(), c.adamWeightDecay(), d.tensorOf(),
                d.startOf(), d.offsets(), d.sizes(), a.chunk()));
    }

    /** celo2_block_scales: a thread per (block, feature). */
    private static void blockScales(CudaBackend b, CUdeviceptr partials, int features, CUdeviceptr blocks, int count, CUdeviceptr scales) {
        b.launch(Kernels.CELO2_BLOCK_SCALES, new LaunchGeometry(Math.ceilDiv(count * features, GROUP), 1, 1, GROUP),
                new LearnedArgs.Celo2BlockScales(partials, features, blocks, count, scales));
    }
}
