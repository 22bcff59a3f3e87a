package org.lopt4j.cuda;

import static org.lopt4j.cuda.CudaSmallFcLopt.f32;
import static org.lopt4j.cuda.CudaSmallFcLopt.i32;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.MlpLoptArgs;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * MLPLOpt's step on CUDA (mlp_lopt.cu with learned_rule.cuh, shared with the OpenCL program): two launches for every
 * tensor of every member — accumulate (momenta with per-chunk feature sums), then apply (each block forming its
 * tensor's scales from those sums, and its time features).
 */
final class CudaMlpLopt {
    private static final int FEATURES = org.lopt4j.tensor.LearnedOps.MlpLoptArgs.FEATURES;

    private CudaMlpLopt() {}

    static void run(CudaBackend b, MlpLoptArgs a) {
        if (a.params() == null) throw new IllegalArgumentException("mlp_lopt on " + b.name() + ": buffer 'params' is missing");
        RefFusedOps.sameShape(a.params(), a.grads(), a.m0(), a.m1(), a.m2(), a.m3(), a.m4(), a.m5());
        int chunks = a.tensorOf().numel(), threads = CudaFusedOps.THREADS;
        if (chunks == 0) return;
        CudaSmallFcLopt.checkMlp(b, a.widest(), a.layers() - 1);
        CUdeviceptr params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads");
        CUdeviceptr m0 = f32(b, a.m0(), "m0"), m1 = f32(b, a.m1(), "m1"), m2 = f32(b, a.m2(), "m2");
        CUdeviceptr m3 = f32(b, a.m3(), "m3"), m4 = f32(b, a.m4(), "m4"), m5 = f32(b, a.m5(), "m5");
        CUdeviceptr tensorOf = i32(b, a.tensorOf(), "tensorOf"), startOf = i32(b, a.startOf(), "startOf");
        CUdeviceptr offsets = i32(b, a.offsets(), "offsets"), sizes = i32(b, a.sizes(), "sizes");
        LaunchGeometry perChunk = new LaunchGeometry(chunks, 1, 1, threads);
        CudaStorage partials = new CudaStorage(b, DType.F32, chunks * FEATURES);
        try {
            b.launch(Kernels.MLP_LOPT_ACCUMULATE, perChunk, new LearnedArgs.MlpAccumulate(params, grads, m0, m1, m2, m3, m4, m5,
                    f32(b, a.decays(), "decays"), partials.ptr(), tensorOf, startOf, offsets, sizes, a.chunk(), f32(b, a.count(), "count"),
                    a.countStride(), f32(b, a.gradStats(), "gradStats"), a.skipNonFinite(), f32(b, a.skips(), "skips")));
            b.launch(Kernels.MLP_LOPT_APPLY, perChunk, new LearnedArgs.MlpApply(params, grads, m0, m1, m2, m3, m4, m5,
                    partials.ptr(), 1, i32(b, a.firstChunk(), "firstChunk"), f32(b, a.theta(), "theta"), a.thetaStride(),
                    f32(b, a.count(), "count"), a.countStride(), i32(b, a.widths(), "widths"), a.layers(), a.perMember(), a.expMult(), a.stepMult(),
                    tensorOf, startOf, offsets, sizes, a.chunk(), f32(b, a.gradStats(), "gradStats"), a.skipNonFinite()));
        } finally {
            partials.release();   // stream-ordered: the allocator reuses it only for later work
        }
    }
}
