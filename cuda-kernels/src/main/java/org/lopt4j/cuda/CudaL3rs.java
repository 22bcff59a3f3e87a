package org.lopt4j.cuda;

import static org.lopt4j.cuda.CudaSmallFcLopt.f32;
import static org.lopt4j.cuda.CudaSmallFcLopt.i32;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * L3RS's step on CUDA (l3rs.cu with learned_rule.cuh, shared with the OpenCL program): three launches for every tensor
 * of every member — accumulate (the base optimizers' state with per-chunk sums), layer (one thread per tensor) and
 * apply.
 */
final class CudaL3rs {
    private CudaL3rs() {}

    static void run(CudaBackend b, L3rsArgs a) {
        if (a.params() == null) throw new IllegalArgumentException("l3rs on " + b.name() + ": buffer 'params' is missing");
        RefFusedOps.sameShape(a.params(), a.grads(), a.b(), a.m(), a.v());
        int chunks = a.tensorOf().numel(), threads = CudaFusedOps.THREADS, tensors = a.sizes().numel();
        if (chunks == 0) return;
        int layers = a.widths().numel() - 1;
        CudaSmallFcLopt.checkMlp(b, a.widest(), layers - 1);
        CUdeviceptr params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads");
        CUdeviceptr hb = f32(b, a.b(), "b"), m = f32(b, a.m(), "m"), v = f32(b, a.v(), "v"), count = f32(b, a.count(), "count");
        CUdeviceptr tensorOf = i32(b, a.tensorOf(), "tensorOf"), startOf = i32(b, a.startOf(), "startOf");
        CUdeviceptr offsets = i32(b, a.offsets(), "offsets"), sizes = i32(b, a.sizes(), "sizes");
        CUdeviceptr gradStats = f32(b, a.gradStats(), "gradStats"), layerOut = f32(b, a.layerOut(), "layerOut");
        LaunchGeometry perChunk = new LaunchGeometry(chunks, 1, 1, threads);
        if (a.partials().numel() < chunks * L3rsArgs.SUMS) {
            throw new IllegalArgumentException("l3rs on " + b.name() + ": partials hold " + a.partials().numel() + " floats, the chunks need " + chunks * L3rsArgs.SUMS);
        }
        CUdeviceptr partials = f32(b, a.partials(), "partials");                 // the state's scratch: nothing allocated per step
        b.launch(Kernels.L3RS_ACCUMULATE, perChunk, new LearnedArgs.L3rsAccumulate(params, grads, hb, m, v, partials, count,
                a.countStride(), tensorOf, startOf, offsets, sizes, a.chunk(), gradStats, a.skipNonFinite(), f32(b, a.skips(), "skips")));
        b.launch(Kernels.L3RS_LAYER, new LaunchGeometry(Math.ceilDiv(tensors, threads), 1, 1, threads), new LearnedArgs.L3rsLayer(
                partials, 1, i32(b, a.firstChunk(), "firstChunk"), f32(b, a.ema(), "ema"), a.emaStride(), f32(b, a.losses(), "losses"),
                f32(b, a.theta(), "theta"), a.thetaStride(), a.thetaStride() - a.perMember() * L3rsArgs.EMBED, i32(b, a.widths(), "widths"),
                layers, a.perMember(), count, a.countStride(), a.numSteps(), a.lambda0(), a.scaleByNorm(), layerOut, tensors, gradStats,
                a.skipNonFinite()));
        b.launch(Kernels.L3RS_APPLY, perChunk, new LearnedArgs.L3rsApply(params, grads, hb, m, v, layerOut, count, a.countStride(),
                tensorOf, startOf, offsets, sizes, a.chunk(), gradStats, a.skipNonFinite()));
    }
}
