package org.lopt4j.cuda;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.VeloArgs;

/**
 * VeLO's passes on CUDA (velo.cu, small_fc_lopt.cu's accumulator passes, learned_rule.cuh), for every tensor whatever
 * their number: before the tensor network the loss buffers (one launch), the statistics of the LSTM features (two),
 * the accumulators (small_fc_lopt's two passes with VeLO's fixed decays) and the LSTM inputs (one); after it the
 * feature sums and the apply (two).
 */
final class CudaVelo {
    private static final int STATS = VeloArgs.STATS, FEATURES = VeloArgs.FEATURES;

    private CudaVelo() {}

    /** The loss buffers, one thread per tensor. */
    static void lossFeatures(CudaBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        int tensors = a.sizes().numel(), threads = CudaFusedOps.THREADS;
        if (tensors == 0) return;
        b.launch(Kernels.VELO_LOSS_FEATURES, new LaunchGeometry(Math.ceilDiv(tensors, threads), 1, 1, threads),
                new LearnedArgs.VeloLossFeatures(CudaSmallFcLopt.f32(b, v.lossBuffer(), "lossBuffer"), v.lossStride(),
                        CudaSmallFcLopt.f32(b, v.losses(), "losses"), CudaSmallFcLopt.f32(b, v.lossFeatures(), "lossFeatures"),
                        CudaSmallFcLopt.f32(b, v.fresh(), "fresh"), CudaSmallFcLopt.i32(b, a.info(), "info"), v.numSteps(),
                        CudaSmallFcLopt.f32(b, a.gradStats(), "gradStats"), a.skipNonFinite(), tensors));
    }

    /** The LSTM inputs and parameter scales, one thread per tensor. */
    static void lstmFeatures(CudaBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        int tensors = a.sizes().numel(), threads = CudaFusedOps.THREADS;
        if (tensors == 0) return;
        b.launch(Kernels.VELO_LSTM_FEATURES, new LaunchGeometry(Math.ceilDiv(tensors, threads), 1, 1, threads),
                new LearnedArgs.VeloLstmFeatures(CudaSmallFcLopt.f32(b, v.stats(), "stats"), CudaSmallFcLopt.f32(b, v.lossFeatures(), "lossFeatures"),
                        CudaSmallFcLopt.f32(b, a.count(), "count"), a.countStride(), CudaSmallFcLopt.i32(b, a.info(), "info"),
                        CudaSmallFcLopt.i32(b, a.sizes(), "sizes"), v.numSteps(), CudaSmallFcLopt.f32(b, v.lstmInputs(), "lstmInputs"),
                        CudaSmallFcLopt.f32(b, v.paramScale(), "paramScale"), tensors));
    }

    static void accumulate(CudaBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        if (a.tensorOf().numel() == 0) return;
        CudaSmallFcLopt.Bufs d = CudaSmallFcLopt.Bufs.of(b, a, "velo");
        CudaStorage partials = new CudaStorage(b, DType.F32, a.tensorOf().numel() * STATS);
        try {
            b.launch(Kernels.VELO_STATS, d.perChunk(), new LearnedArgs.VeloStats(d.params(), d.v(), d.m0(), d.m1(), d.m2(),
                    partials.ptr(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk()));
            int tensors = a.sizes().numel(), threads = CudaFusedOps.THREADS;
            b.launch(Kernels.VELO_STATS_SUMS, new LaunchGeometry(Math.ceilDiv(tensors * STATS, threads), 1, 1, threads),
                    new LearnedArgs.VeloStatsSums(partials.ptr(), 1, CudaSmallFcLopt.i32(b, a.firstChunk(), "firstChunk"),
                            CudaSmallFcLopt.i32(b, a.sizes(), "sizes"), CudaSmallFcLopt.f32(b, v.stats(), "stats"), tensors));
        } finally {
            partials.release();
        }
        CudaSmallFcLopt.accumulators(b, a, d);
    }

    static void apply(CudaBackend b, VeloArgs v) {
        FactoredArgs a = v.state();
        if (a.tensorOf().numel() == 0) return;
        CudaSmallFcLopt.Bufs d = CudaSmallFcLopt.Bufs.of(b, a, "velo");
        CudaStorage partials = new CudaStorage(b, DType.F32, a.tensorOf().numel() * FEATURES);
        try {
            b.launch(Kernels.VELO_FEATURE_SUMS, d.perChunk(), new LearnedArgs.VeloFeatureSums(d.params(), d.grads(), d.m0(),
                    d.m1(), d.m2(), d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(), d.info(),
                    partials.ptr(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk()));
            b.launch(Kernels.VELO_APPLY, d.perChunk(), new LearnedArgs.VeloApply(d.params(), d.grads(), d.m0(), d.m1(), d.m2(),
                    d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(), d.info(),
                    partials.ptr(), 1, CudaSmallFcLopt.i32(b, a.firstChunk(), "firstChunk"), CudaSmallFcLopt.f32(b, v.mixed(), "mixed"),
                    CudaSmallFcLopt.f32(b, v.step(), "step"), v.lr(), v.paramDecay(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk(),
                    CudaSmallFcLopt.f32(b, a.gradStats(), "gradStats"), a.skipNonFinite()));
        } finally {
            partials.release();
        }
    }
}
