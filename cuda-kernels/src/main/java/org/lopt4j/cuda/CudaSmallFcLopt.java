package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps.SmallFcLoptArgs;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * small_fc_lopt's step on CUDA (learned.cu with learned_rule.cuh, the code the OpenCL program shares): six
 * launches for every tensor of every member, whatever their number; element kernels take one block per chunk-table
 * entry. The per-chunk feature partials are scratch of each call.
 */
final class CudaSmallFcLopt {
    private static final int FEATURES = 28;

    private CudaSmallFcLopt() {}

    static void run(CudaBackend b, SmallFcLoptArgs a) {
        Tensor p = a.params();
        if (p == null) throw new IllegalArgumentException("small_fc_lopt on " + b.name() + ": buffer 'params' is missing");
        RefFusedOps.sameShape(p, a.grads(), a.m0(), a.m1(), a.m2(), a.v());
        int chunks = a.tensorOf().numel(), tensors = a.sizes().numel(), threads = CudaFusedOps.THREADS;
        if (chunks == 0) return;
        CUdeviceptr params = f32(b, p, "params"), grads = f32(b, a.grads(), "grads");
        CUdeviceptr m0 = f32(b, a.m0(), "m0"), m1 = f32(b, a.m1(), "m1"), m2 = f32(b, a.m2(), "m2"), v = f32(b, a.v(), "v");
        CUdeviceptr r0 = f32(b, a.r0(), "r0"), r1 = f32(b, a.r1(), "r1"), r2 = f32(b, a.r2(), "r2");
        CUdeviceptr c0 = f32(b, a.c0(), "c0"), c1 = f32(b, a.c1(), "c1"), c2 = f32(b, a.c2(), "c2");
        CUdeviceptr decays = f32(b, a.decays(), "decays"), info = i32(b, a.info(), "info"), rowMean = f32(b, a.rowMean(), "rowMean");
        CUdeviceptr tensorOf = i32(b, a.tensorOf(), "tensorOf"), startOf = i32(b, a.startOf(), "startOf");
        CUdeviceptr offsets = i32(b, a.offsets(), "offsets"), sizes = i32(b, a.sizes(), "sizes");
        LaunchGeometry perChunk = new LaunchGeometry(chunks, 1, 1, threads);

        b.launch(Kernels.LEARNED_SMALL_FC_MOMENTS, perChunk, new LearnedArgs.SmallFcMoments(grads, m0, m1, m2, v, r0, r1, r2,
                decays, info, tensorOf, startOf, offsets, sizes, a.chunk()));
        int rowChunks = a.rowTensorOf().numel(), accChunks = rowChunks + a.colTensorOf().numel();
        if (accChunks > 0) {
            b.launch(Kernels.LEARNED_SMALL_FC_FACTORS, new LaunchGeometry(accChunks, 1, 1, threads), new LearnedArgs.SmallFcFactors(
                    grads, r0, r1, r2, c0, c1, c2, decays, info, offsets, i32(b, a.rowTensorOf(), "rowTensorOf"),
                    i32(b, a.rowStartOf(), "rowStartOf"), rowChunks, i32(b, a.colTensorOf(), "colTensorOf"),
                    i32(b, a.colStartOf(), "colStartOf"), a.auxChunk()));
        }
        int meanChunks = a.meanTensorOf().numel();
        if (meanChunks > 0) {
            b.launch(Kernels.LEARNED_SMALL_FC_ROW_MEANS, new LaunchGeometry(meanChunks, 1, 1, threads), new LearnedArgs.SmallFcRowMeans(
                    r0, r1, r2, rowMean, a.meanTotal(), info, i32(b, a.meanTensorOf(), "meanTensorOf"),
                    i32(b, a.meanStartOf(), "meanStartOf"), a.auxChunk()));
        }
        CudaStorage partials = new CudaStorage(b, DType.F32, chunks * FEATURES);
        try {
            b.launch(Kernels.LEARNED_SMALL_FC_FEATURE_SUMS, perChunk, new LearnedArgs.SmallFcFeatureSums(params, grads, m0, m1, m2,
                    v, r0, r1, r2, c0, c1, c2, rowMean, a.meanTotal(), info, partials.ptr(), tensorOf, startOf, offsets,
                    sizes, a.chunk()));
            CUdeviceptr scale = f32(b, a.scale(), "scale");
            b.launch(Kernels.LEARNED_FEATURE_SCALE, new LaunchGeometry(Math.ceilDiv(tensors * FEATURES, threads), 1, 1, threads),
                    new LearnedArgs.FeatureScale(partials.ptr(), 1, FEATURES, 1e-5, i32(b, a.firstChunk(), "firstChunk"), sizes, scale, tensors));
            b.launch(Kernels.LEARNED_SMALL_FC_APPLY, perChunk, new LearnedArgs.SmallFcApply(params, grads, m0, m1, m2, v, r0, r1,
                    r2, c0, c1, c2, rowMean, a.meanTotal(), info, scale, f32(b, a.theta(), "theta"), a.thetaStride(),
                    f32(b, a.time(), "time"), a.hidden(), a.layers(), a.expMult(), a.stepScale(), tensorOf, startOf,
                    offsets, sizes, a.chunk()));
        } finally {
            partials.release();   // stream-ordered: the allocator reuses it only for later work
        }
    }

    static CUdeviceptr f32(CudaBackend b, Tensor t, String role) { return buffer(b, t, DType.F32, role); }

    static CUdeviceptr i32(CudaBackend b, Tensor t, String role) { return buffer(b, t, DType.I32, role); }

    private static CUdeviceptr buffer(CudaBackend b, Tensor t, DType d, String role) {
        if (t == null || t.dtype() != d || t.offset() != 0) {
            throw new IllegalArgumentException("small_fc_lopt on " + b.name() + ": '" + role + "' must be a whole " + d + " buffer, got " + t);
        }
        return b.ptr(t);
    }
}
