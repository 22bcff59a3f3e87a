package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * L3RS's step on OpenCL (l3rs.cl with learned_rule.cuh, shared with the CUDA kernels, and learned.cl): three launches
 * for every tensor of every member — accumulate (the base optimizers' state with per-group sums), layer (one work-item
 * per tensor) and apply.
 */
final class OpenClL3rs {
    private OpenClL3rs() {}

    static void run(OpenClBackend b, L3rsArgs a) {
        if (a.params() == null || a.params().dtype() != DType.F32) throw new IllegalArgumentException("l3rs on " + b.name() + ": params must be F32, got " + a.params());
        RefFusedOps.sameShape(a.params(), a.grads(), a.b(), a.m(), a.v());
        int chunks = a.tensorOf().numel(), group = b.groupSize(), tensors = a.sizes().numel();
        if (chunks == 0) return;
        int layers = a.widths().numel() - 1;
        if (a.widest() > L3rsArgs.MAX_WIDTH) throw new IllegalArgumentException("l3rs kernels on " + b.name() + " take widths up to " + L3rsArgs.MAX_WIDTH);
        OpenClStorage params = f32(b, a.params(), "params"), grads = f32(b, a.grads(), "grads");
        OpenClStorage hb = f32(b, a.b(), "b"), m = f32(b, a.m(), "m"), v = f32(b, a.v(), "v"), count = f32(b, a.count(), "count");
        OpenClStorage gradStats = f32(b, a.gradStats(), "gradStats"), layerOut = f32(b, a.layerOut(), "layerOut");
        long extent = Math.ceilDiv(Math.max(1, Math.min(a.chunk(), a.params().numel())), group) * group;
        LaunchSize elements = new LaunchSize(new long[] {extent, chunks}, new long[] {group, 1});
        int perChunk = Math.toIntExact(extent / group);
        OpenClStorage partials = new OpenClStorage(b, DType.F32, chunks * perChunk * L3rsArgs.SUMS);
        try {
            b.launch(ClProgram.L3RS, DType.F32, "l3rs_accumulate", elements, table(b, new KernelArgs().mem(params).mem(grads).mem(hb).mem(m)
                    .mem(v).mem(partials).mem(count).i32(a.countStride()), a).local((long) L3rsArgs.SUMS * group * Float.BYTES)
                    .mem(gradStats).i32(a.skipNonFinite()).mem(f32(b, a.skips(), "skips")));
            b.launch(ClProgram.L3RS, DType.F32, "l3rs_layer", LaunchSize.groups(Math.ceilDiv(tensors, group), group), new KernelArgs()
                    .mem(partials).i32(perChunk).mem(i32(b, a.firstChunk(), "firstChunk")).mem(f32(b, a.ema(), "ema")).i32(a.emaStride())
                    .mem(f32(b, a.losses(), "losses")).mem(f32(b, a.theta(), "theta")).i32(a.thetaStride()).i32(a.thetaStride() - a.perMember() * L3rsArgs.EMBED)
                    .mem(i32(b, a.widths(), "widths")).i32(layers).i32(a.perMember()).mem(count).i32(a.countStride())
                    .i32(a.numSteps()).real(DType.F32, a.lambda0()).i32(a.scaleByNorm()).mem(layerOut).i32(tensors).mem(gradStats)
                    .i32(a.skipNonFinite()));
            b.launch(ClProgram.L3RS, DType.F32, "l3rs_apply", elements, table(b, new KernelArgs().mem(params).mem(grads).mem(hb).mem(m)
                    .mem(v).mem(layerOut).mem(count).i32(a.countStride()), a).mem(gradStats).i32(a.skipNonFinite()));
        } finally {
            partials.release();   // freed by OpenCL once the queued launches are done
        }
    }

    private static KernelArgs table(OpenClBackend b, KernelArgs k, L3rsArgs a) {
        return k.mem(i32(b, a.tensorOf(), "tensorOf")).mem(i32(b, a.startOf(), "startOf")).mem(i32(b, a.offsets(), "offsets"))
                .mem(i32(b, a.sizes(), "sizes")).i32(a.chunk());
    }
}
