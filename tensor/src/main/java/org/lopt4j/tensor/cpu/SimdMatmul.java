package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/** SIMD matrix multiplication for the SIMD backend: batched, strided inputs, both cores. */
final class SimdMatmul {
    private SimdMatmul() {}

    /** {@code out[b] = op(a[b]) @ op(b[b])}; inputs already broadcast over batch axes (see {@link Op.MatMul}). */
    static void run(VectorSpecies<Float> fs, VectorSpecies<Double> ds, Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        Tensor aa = (op.ta() ? a.mT() : a).contiguous(), bb = (op.tb() ? b.mT() : b).contiguous();
        Tensor oc = out.isContiguous() ? out : Tensor.zeros(out.backend(), out.dtype(), out.shape());
        int m = out.dim(-2), n = out.dim(-1), k = aa.dim(-1);
        int batches = m * n == 0 ? 0 : out.numel() / (m * n);
        CpuStorage x = ScalarBackend.cpu(aa), y = ScalarBackend.cpu(bb), o = ScalarBackend.cpu(oc);
        int rows = batches * m;
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, n * k / 64 + 1)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int bi = r / m, i = r % m;
                int ao = aa.offset() + bi * m * k + i * k, bo = bb.offset() + bi * k * n, oo = oc.offset() + bi * m * n + i * n;
                if (out.dtype() == DType.F32) rowF32(fs, x.f32, ao, y.f32, bo, o.f32, oo, k, n);
                else rowF64(ds, x.f64, ao, y.f64, bo, o.f64, oo, k, n);
            }
        });
        if (oc != out) out.assign(oc);
    }

    private static void rowF32(VectorSpecies<Float> s, float[] a, int ao, float[] b, int bo, float[] o, int oo, int k, int n) {
        java.util.Arrays.fill(o, oo, oo + n, 0f);
        int bound = s.loopBound(n);
        for (int p = 0; p < k; p++) {
            float av = a[ao + p];
            FloatVector va = FloatVector.broadcast(s, av);
            int brow = bo + p * n, j = 0;
            for (; j < bound; j += s.length()) {
                FloatVector.fromArray(s, b, brow + j).fma(va, FloatVector.fromArray(s, o, oo + j)).intoArray(o, oo + j);
            }
            for (; j < n; j++) o[oo + j] = Math.fma(av, b[brow + j], o[oo + j]);
        }
    }

    private static void rowF64(VectorSpecies<Double> s, double[] a, int ao, double[] b, int bo, double[] o, int oo, int k, int n) {
        java.util.Arrays.fill(o, oo, oo + n, 0.0);
        int bound = s.loopBound(n);
        for (int p = 0; p < k; p++) {
            double av = a[ao + p];
            DoubleVector va = DoubleVector.broadcast(s, av);
            int brow = bo + p * n, j = 0;
            for (; j < bound; j += s.length()) {
                DoubleVector.fromArray(s, b, brow + j).fma(va, DoubleVector.fromArray(s, o, oo + j)).intoArray(o, oo + j);
            }
            for (; j < n; j++) o[oo + j] = Math.fma(av, b[brow + j], o[oo + j]);
        }
    }
}
