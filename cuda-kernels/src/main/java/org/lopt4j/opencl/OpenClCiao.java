package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps.CiaoArgs;

/**
 * CIAO's step on OpenCL (ciao.cl with ciao.cuh, the code the CUDA kernels share): four launches whatever the number
 * of tensors — global (the rolling-max clip, from the step's gradient statistics), moments, tensors (bias corrections,
 * LAMB, features), apply.
 */
final class OpenClCiao {
    /** Work-items of a group (celo2.cuh's C2_GROUP). */
    static final int GROUP = 256;

    private OpenClCiao() {}

    static void run(OpenClBackend b, CiaoArgs a) {
        FusedOps.Chunks c = a.chunks();
        int chunks = c.tensorOf().numel(), tensors = a.layout().count();
        if (chunks == 0 || tensors == 0) return;
        OpenClStorage params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads"), m = f32(b, a.m(), "m"), v = f32(b, a.v(), "v");
        OpenClStorage perTensor = f32(b, a.perTensor(), "perTensor"), clip = f32(b, a.global(), "global"), partials = f32(b, a.partials(), "partials");
        double beta1 = 1 - a.ombeta1(), beta2 = 1 - a.ombeta2();
        int inf = a.denominatorInf() ? 1 : 0, inUpdate = a.weightDecayInUpdate() ? 1 : 0, features = a.features() == null ? 0 : 1;
        b.launch(ClProgram.CIAO, DType.F32, "ciao_global", LaunchSize.groups(1, 1), new KernelArgs().mem(f32(b, a.gradStats(), "gradStats")).mem(clip)
                .real(DType.F32, 1 - a.gradClipOmbeta()).real(DType.F32, a.clipNorm()));
        b.launch(ClProgram.CIAO, DType.F32, "ciao_moments", LaunchSize.groups(chunks, GROUP), table(b, new KernelArgs().mem(params).mem(grads).mem(m)
                .mem(v).mem(perTensor).mem(clip).mem(partials).real(DType.F32, beta1).real(DType.F32, beta2).real(DType.F32, a.epsilon())
                .real(DType.F32, a.weightDecay()).i32(inf).i32(inUpdate).i32(features), c));
        b.launch(ClProgram.CIAO, DType.F32, "ciao_tensors", LaunchSize.groups(Math.ceilDiv(tensors, GROUP), GROUP), new KernelArgs().mem(partials)
                .mem(i32(b, a.firstChunk(), "firstChunk")).mem(i32(b, c.sizes(), "sizes")).mem(perTensor).mem(clip).mem(f32(b, a.vector(), "vector"))
                .mem(features == 1 ? f32(b, a.features(), "features") : partials).i32(features).real(DType.F32, a.lr()).real(DType.F32, beta1)
                .real(DType.F32, beta2).real(DType.F32, a.lambPower()).real(DType.F32, a.lambMinTrust()).real(DType.F32, Math.min(a.lambMaxTrust(), Float.MAX_VALUE))
                .i32(a.lambIgnoreVectors() ? 1 : 0).real(DType.F32, a.lambUpdateNormOmbeta()).i32(tensors));
        b.launch(ClProgram.CIAO, DType.F32, "ciao_apply", LaunchSize.groups(chunks, GROUP), table(b, new KernelArgs().mem(params).mem(m).mem(v)
                .mem(perTensor).real(DType.F32, a.epsilon()).real(DType.F32, a.weightDecay()).i32(inf).i32(inUpdate), c));
    }

    private static KernelArgs table(OpenClBackend b, KernelArgs k, FusedOps.Chunks c) {
        return k.mem(i32(b, c.tensorOf(), "tensorOf")).mem(i32(b, c.startOf(), "startOf")).mem(i32(b, c.offsets(), "offsets"))
                .mem(i32(b, c.sizes(), "sizes")).i32(c.chunk());
    }
}
