package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;

/**
 * The Panama Vector API CPU backend: F32 and F64 primitives in vectors of the width {@link Species} fixes per JVM
 * (128, 256 or 512 bits), scalar tails, both cores for large ops. I32 and mixed-dtype copies use the scalar definitions.
 * Outputs may be strided views; an output may alias an input only element for element (in-place ops).
 */
public final class SimdBackend implements Backend {
    /** Elements per parallel work unit: below this an op runs on the calling thread. */
    static final int GRAIN = 1 << 15;

    public static final SimdBackend INSTANCE = new SimdBackend();

    private SimdBackend() {}

    /** Vector width in bits, fixed per JVM by {@link Species}. */
    public int bits() { return Species.BITS; }

    @Override public Device device() { return new Device.Cpu(); }
    @Override public String name() { return "simd-" + Species.BITS; }
    @Override public Storage allocate(DType dtype, int length) { return new CpuStorage(dtype, length); }
    @Override public boolean supports(DType dtype) { return true; }
    @Override public void sync() {}

    private final org.lopt4j.tensor.FusedOps fused = new org.lopt4j.tensor.cpu.fused.SimdFusedOps(Species.BITS);

    /** Fused optimizer passes in vector lanes of this backend's width, on both cores. */
    @Override public org.lopt4j.tensor.FusedOps fused() { return fused; }

    @Override public void execute(Op op, Tensor out, Tensor... in) {
        boolean f32 = allOf(DType.F32, out, in), f64 = allOf(DType.F64, out, in);
        if (!(f32 || f64) && !(op instanceof Op.Random)) {
            ScalarBackend.INSTANCE.execute(op, out, in); // I32 and dtype conversions: the scalar definition
            return;
        }
        switch (op) {
            case Op.Unary u -> {
                RowPlan p = new RowPlan(out, in[0]);
                int[] s = p.inner;
                if (f32) {
                    float[] o = st(out).f32, x = st(in[0]).f32;
                    p.forEach(GRAIN, (off, n) -> SimdF32.unary(u, o, off[0], s[0], x, off[1], s[1], n));
                } else {
                    double[] o = st(out).f64, x = st(in[0]).f64;
                    p.forEach(GRAIN, (off, n) -> SimdF64.unary(u, o, off[0], s[0], x, off[1], s[1], n));
                }
            }
            case Op.Binary b -> {
                RowPlan p = new RowPlan(out, in[0], in[1]);
                int[] s = p.inner;
                if (f32) {
                    float[] o = st(out).f32, x = st(in[0]).f32, y = st(in[1]).f32;
                    p.forEach(GRAIN, (off, n) -> SimdF32.binary(b, o, off[0], s[0], x, off[1], s[1], y, off[2], s[2], n));
                } else {
                    double[] o = st(out).f64, x = st(in[0]).f64, y = st(in[1]).f64;
                    p.forEach(GRAIN, (off, n) -> SimdF64.binary(b, o, off[0], s[0], x, off[1], s[1], y, off[2], s[2], n));
                }
            }
            case Op.Where w -> {
                RowPlan p = new RowPlan(out, in[0], in[1], in[2]);
                int[] s = p.inner;
                if (f32) {
                    float[] o = st(out).f32, c = st(in[0]).f32, x = st(in[1]).f32, y = st(in[2]).f32;
                    p.forEach(GRAIN, (off, n) -> SimdF32.where(o, off[0], s[0], c, off[1], s[1], x, off[2], s[2], y, off[3], s[3], n));
                } else {
                    double[] o = st(out).f64, c = st(in[0]).f64, x = st(in[1]).f64, y = st(in[2]).f64;
                    p.forEach(GRAIN, (off, n) -> SimdF64.where(o, off[0], s[0], c, off[1], s[1], x, off[2], s[2], y, off[3], s[3], n));
                }
            }
            case Op.Copy c -> {
                RowPlan p = new RowPlan(out, in[0]);
                int[] s = p.inner;
                if (f32) {
                    float[] o = st(out).f32, x = st(in[0]).f32;
                    p.forEach(GRAIN, (off, n) -> SimdF32.copy(o, off[0], s[0], x, off[1], s[1], n));
                } else {
                    double[] o = st(out).f64, x = st(in[0]).f64;
                    p.forEach(GRAIN, (off, n) -> SimdF64.copy(o, off[0], s[0], x, off[1], s[1], n));
                }
            }
            case Op.Fill f -> {
                RowPlan p = new RowPlan(out);
                int s0 = p.inner[0];
                if (f32) {
                    float[] o = st(out).f32;
                    float v = (float) f.value();
                    p.forEach(GRAIN, (off, n) -> { for (int j = 0; j < n; j++) o[off[0] + j * s0] = v; });
                } else {
                    double[] o = st(out).f64;
                    p.forEach(GRAIN, (off, n) -> { for (int j = 0; j < n; j++) o[off[0] + j * s0] = f.value(); });
                }
            }
            case Op.Reduce r -> SimdReduce.run(r, out, in[0]);
            case Op.MatMul m -> SimdMatmul.run(m, out, in[0], in[1]);
            case Op.Gather g -> ScalarBackend.INSTANCE.execute(op, out, in);
            case Op.Random r -> {
                // element e is a pure function of (key, e): chunks in parallel give the scalar backend's numbers
                CpuStorage o = st(out);
                int[] d = out.shape().dims();
                int n = out.numel();
                Parallel.forRange(n, GRAIN / 8, (from, to) -> {
                    for (int e = from; e < to; e++) {
                        o.set(offsetOf(out, d, e), r.key().sample(r.dist(), out.dtype(), e));
                    }
                });
            }
        }
    }

    private static int offsetOf(Tensor t, int[] d, int linear) {
        int off = t.offset();
        for (int i = d.length - 1; i >= 0; i--) {
            off += (linear % d[i]) * t.stride(i);
            linear /= d[i];
        }
        return off;
    }

    private static boolean allOf(DType d, Tensor out, Tensor[] in) {
        if (out.dtype() != d) return false;
        for (Tensor t : in) if (t.dtype() != d) return false;
        return true;
    }

    private static CpuStorage st(Tensor t) { return ScalarBackend.cpu(t); }
}
