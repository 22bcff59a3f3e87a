package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * small_fc_lopt's step on CUDA (small_fc_lopt.cu with learned_rule.cuh, the code the OpenCL program shares): four
 * launches for every tensor of every member, whatever their number (the apply forms each tensor's feature scales and
 * time features per block); element kernels take one block per chunk-table entry. The per-chunk feature partials are
 * scratch of each call. The accumulator passes serve VeLO too ({@link CudaVelo}).
 */
final class CudaSmallFcLopt {
    private static final int FEATURES = org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs.FEATURES;

    private CudaSmallFcLopt() {}

    /** The device pointers of a call's buffers. */
    record Bufs(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr v,
                CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1, CUdeviceptr c2,
                CUdeviceptr decays, CUdeviceptr info, CUdeviceptr rowMean, CUdeviceptr tensorOf, CUdeviceptr startOf,
                CUdeviceptr offsets, CUdeviceptr sizes, LaunchGeometry perChunk) {
        static Bufs of(CudaBackend b, FactoredArgs a, String what) {
            if (a.params() == null) throw new IllegalArgumentException(what + " on " + b.name() + ": buffer 'params' is missing");
            RefFusedOps.sameShape(a.params(), a.grads(), a.m0(), a.m1(), a.m2(), a.v());
            return new Bufs(f32(b, a.params(), "params"), f32(b, a.grads(), "grads"), f32(b, a.m0(), "m0"), f32(b, a.m1(), "m1"),
                    f32(b, a.m2(), "m2"), f32(b, a.v(), "v"), f32(b, a.r0(), "r0"), f32(b, a.r1(), "r1"), f32(b, a.r2(), "r2"),
                    f32(b, a.c0(), "c0"), f32(b, a.c1(), "c1"), f32(b, a.c2(), "c2"), f32(b, a.decays(), "decays"),
                    i32(b, a.info(), "info"), f32(b, a.rowMean(), "rowMean"), i32(b, a.tensorOf(), "tensorOf"),
                    i32(b, a.startOf(), "startOf"), i32(b, a.offsets(), "offsets"), i32(b, a.sizes(), "sizes"),
                    new LaunchGeometry(Math.max(1, a.tensorOf().numel()), 1, 1, CudaFusedOps.THREADS));
        }
    }

    static void run(CudaBackend b, SmallFcLoptArgs sa) {
        FactoredArgs a = sa.state();
        if (a.tensorOf().numel() == 0) return;
        checkMlp(b, sa.hidden(), sa.layers());
        Bufs d = Bufs.of(b, a, "small_fc_lopt");
        if (sa.maxGradNorm() > 0) {
            CUdeviceptr norms = f32(b, sa.normPartials(), "normPartials"), stats = f32(b, a.gradStats(), "gradStats");
            b.launch(Kernels.SMALL_FC_LOPT_GRAD_NORMS, d.perChunk(), new LearnedArgs.SmallFcGradNorms(d.grads(), norms, d.tensorOf(),
                    d.startOf(), d.offsets(), d.sizes(), a.chunk(), stats, a.skipNonFinite()));
            b.launch(Kernels.SMALL_FC_LOPT_CLIP, d.perChunk(), new LearnedArgs.SmallFcClip(d.grads(), norms, i32(b, a.firstChunk(), "firstChunk"),
                    sa.maxGradNorm(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk(), stats, a.skipNonFinite()));
        }
        accumulators(b, a, d);
        CudaStorage partials = new CudaStorage(b, DType.F32, a.tensorOf().numel() * FEATURES);
        try {
            b.launch(Kernels.SMALL_FC_LOPT_FEATURE_SUMS, d.perChunk(), new LearnedArgs.SmallFcFeatureSums(d.params(), d.grads(),
                    d.m0(), d.m1(), d.m2(), d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(),
                    d.info(), partials.ptr(), d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk()));
            b.launch(Kernels.SMALL_FC_LOPT_APPLY, d.perChunk(), new LearnedArgs.SmallFcApply(d.params(), d.grads(), d.m0(), d.m1(),
                    d.m2(), d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.rowMean(), a.meanTotal(), d.info(),
                    partials.ptr(), 1, i32(b, a.firstChunk(), "firstChunk"), f32(b, sa.theta(), "theta"), sa.thetaStride(),
                    f32(b, a.count(), "count"), a.countStride(), sa.hidden(), sa.layers(), sa.expMult(), sa.stepScale(), f32(b, sa.tensorScales(), "tensorScales"), sa.paramDecay(), d.tensorOf(), d.startOf(),
                    d.offsets(), d.sizes(), a.chunk(), f32(b, a.gradStats(), "gradStats"), a.skipNonFinite()));
        } finally {
            partials.release();   // stream-ordered: the allocator reuses it only for later work
        }
    }

    /**
     * Passes 1–2: momenta, RMS, diagonal and factored accumulators in one launch, which also advances the update
     * counts (or, for a skipped step, the skip count); row means.
     */
    static void accumulators(CudaBackend b, FactoredArgs a, Bufs d) {
        int threads = CudaFusedOps.THREADS, chunks = a.tensorOf().numel();
        int rowChunks = a.rowTensorOf().numel(), accChunks = rowChunks + a.colTensorOf().numel();
        b.launch(Kernels.SMALL_FC_LOPT_ACCUMULATE, new LaunchGeometry(chunks + accChunks, 1, 1, threads), new LearnedArgs.SmallFcAccumulate(
                d.grads(), d.m0(), d.m1(), d.m2(), d.v(), d.r0(), d.r1(), d.r2(), d.c0(), d.c1(), d.c2(), d.decays(), d.info(),
                d.tensorOf(), d.startOf(), d.offsets(), d.sizes(), a.chunk(), chunks, i32(b, a.rowTensorOf(), "rowTensorOf"),
                i32(b, a.rowStartOf(), "rowStartOf"), rowChunks, i32(b, a.colTensorOf(), "colTensorOf"),
                i32(b, a.colStartOf(), "colStartOf"), a.auxChunk(), f32(b, a.count(), "count"), a.countStride(), f32(b, a.gradStats(), "gradStats"),
                a.skipNonFinite(), f32(b, a.skips(), "skips")));
        int meanChunks = a.meanTensorOf().numel();
        if (meanChunks > 0) {
            b.launch(Kernels.SMALL_FC_LOPT_ROW_MEANS, new LaunchGeometry(meanChunks, 1, 1, threads), new LearnedArgs.SmallFcRowMeans(
                    d.r0(), d.r1(), d.r2(), d.rowMean(), a.meanTotal(), d.info(), i32(b, a.meanTensorOf(), "meanTensorOf"),
                    i32(b, a.meanStartOf(), "meanStartOf"), a.auxChunk()));
        }
    }

    /** The kernels' fixed-size MLP buffers take up to {@code MAX_WIDTH} wide, {@code MAX_LAYERS} deep. */
    static void checkMlp(CudaBackend b, int hidden, int layers) {
        if (hidden > SmallFcLoptArgs.MAX_WIDTH || layers + 1 > SmallFcLoptArgs.MAX_LAYERS) {
            throw new IllegalArgumentException("learned optimizer kernels on " + b.name() + " take hidden widths up to " + SmallFcLoptArgs.MAX_WIDTH
                    + " and up to " + (SmallFcLoptArgs.MAX_LAYERS - 1) + " hidden layers, got " + hidden + " x " + layers);
        }
    }

    static CUdeviceptr f32(CudaBackend b, Tensor t, String role) { return buffer(b, t, DType.F32, role); }

    static CUdeviceptr i32(CudaBackend b, Tensor t, String role) { return buffer(b, t, DType.I32, role); }

    private static CUdeviceptr buffer(CudaBackend b, Tensor t, DType d, String role) {
        if (t == null || t.dtype() != d || t.offset() != 0) {
            throw new IllegalArgumentException("learned optimizer kernel on " + b.name() + ": '" + role + "' must be a whole " + d + " buffer, got " + t);
        }
        return b.ptr(t);
    }
}
