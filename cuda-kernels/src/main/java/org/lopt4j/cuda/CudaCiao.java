package org.lopt4j.cuda;

import static org.lopt4j.cuda.CudaSmallFcLopt.f32;
import static org.lopt4j.cuda.CudaSmallFcLopt.i32;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps.CiaoArgs;

/**
 * CIAO's step on CUDA (ciao.cu with ciao.cuh, the code the OpenCL program shares): four launches whatever the number
 * of tensors — global (the rolling-max clip, from the step's gradient statistics), moments, tensors (bias corrections,
 * LAMB, features), apply.
 */
final class CudaCiao {
    /** Threads of a block (celo2.cuh's C2_GROUP). */
    static final int GROUP = 256;

    private CudaCiao() {}

    static void run(CudaBackend b, CiaoArgs a) {
        FusedOps.Chunks c = a.chunks();
        int chunks = c.tensorOf().numel(), tensors = a.layout().count();
        if (chunks == 0 || tensors == 0) return;
        CUdeviceptr params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads"), m = f32(b, a.m(), "m"), v = f32(b, a.v(), "v");
        CUdeviceptr perTensor = f32(b, a.perTensor(), "perTensor"), clip = f32(b, a.global(), "global"), partials = f32(b, a.partials(), "partials");
        CUdeviceptr tensorOf = i32(b, c.tensorOf(), "tensorOf"), startOf = i32(b, c.startOf(), "startOf"), offsets = i32(b, c.offsets(), "offsets");
        CUdeviceptr sizes = i32(b, c.sizes(), "sizes");
        LaunchGeometry perChunk = new LaunchGeometry(chunks, 1, 1, GROUP);
        double beta1 = 1 - a.ombeta1(), beta2 = 1 - a.ombeta2();
        int inf = a.denominatorInf() ? 1 : 0, inUpdate = a.weightDecayInUpdate() ? 1 : 0, features = a.features() == null ? 0 : 1;
        b.launch(Kernels.CIAO_GLOBAL, new LaunchGeometry(1, 1, 1, 32), new LearnedArgs.CiaoGlobal(f32(b, a.gradStats(), "gradStats"), clip,
                1 - a.gradClipOmbeta(), a.clipNorm()));
        b.launch(Kernels.CIAO_MOMENTS, perChunk, new LearnedArgs.CiaoMoments(params, grads, m, v, perTensor, clip, partials, beta1, beta2, a.epsilon(),
                a.weightDecay(), inf, inUpdate, features, tensorOf, startOf, offsets, sizes, c.chunk()));
        b.launch(Kernels.CIAO_TENSORS, new LaunchGeometry(Math.ceilDiv(tensors, GROUP), 1, 1, GROUP), new LearnedArgs.CiaoTensors(partials,
                i32(b, a.firstChunk(), "firstChunk"), sizes, perTensor, clip, f32(b, a.vector(), "vector"), features == 1 ? f32(b, a.features(), "features") : partials,
                features, a.lr(), beta1, beta2, a.lambPower(), a.lambMinTrust(), finite(a.lambMaxTrust()), a.lambIgnoreVectors() ? 1 : 0,
                a.lambUpdateNormOmbeta(), tensors));
        b.launch(Kernels.CIAO_APPLY, perChunk, new LearnedArgs.CiaoApply(params, m, v, perTensor, a.epsilon(), a.weightDecay(), inf, inUpdate, tensorOf,
                startOf, offsets, sizes, c.chunk()));
    }

    /** An unbounded trust ratio as the largest float (the kernels clip in float). */
    static double finite(double x) { return Math.min(x, Float.MAX_VALUE); }
}
