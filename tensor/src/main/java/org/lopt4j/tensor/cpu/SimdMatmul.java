package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * SIMD matrix multiplication for the SIMD backend, batched over leading axes with any strides (broadcast batch axes
 * have stride 0, transposes are strides): F32 products of at least {@link #SMALL} multiply-adds run the packed GEMM
 * ({@link SimdGemmF32}), or with at most {@link #SKINNY} rows a pass that streams B once; smaller ones and F64 run
 * row-broadcast FMA kernels over contiguous copies.
 */
final class SimdMatmul {
    /** Below this many multiply-adds per matrix, packing costs more than it saves: row kernels instead. */
    static final long SMALL = 32L * 32 * 32;

    private SimdMatmul() {}

    /** {@code out[b] = op(a[b]) @ op(b[b])}; inputs already broadcast over batch axes (see {@link Op.MatMul}). */
    static void run(Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        Tensor av = op.ta() ? a.mT() : a, bv = op.tb() ? b.mT() : b;
        Tensor oc = out.isContiguous() ? out : Tensor.zeros(out.backend(), out.dtype(), out.shape());
        int m = out.dim(-2), n = out.dim(-1), k = av.dim(-1);
        int batches = m * n == 0 ? 0 : out.numel() / (m * n);
        if (out.dtype() == DType.F32 && m <= SKINNY && (long) m * n * k >= SMALL) {
            skinny(oc, av.contiguous(), bv.contiguous(), m, n, k, batches);
        } else if (out.dtype() == DType.F32 && (long) m * n * k >= SMALL) {
            packed(oc, av, bv, m, n, k, batches);
        } else {
            rows(oc, av.contiguous(), bv.contiguous(), m, n, k, batches);
        }
        if (oc != out) out.assign(oc);
    }

    private static void packed(Tensor oc, Tensor av, Tensor bv, int m, int n, int k, int batches) {
        int r = oc.rank();
        int[] as = av.strides(), bs = bv.strides(), bd = oc.shape().dims();
        float[] x = ScalarBackend.cpu(av).f32, y = ScalarBackend.cpu(bv).f32, o = ScalarBackend.cpu(oc).f32;
        for (int bi = 0; bi < batches; bi++) {
            int ao = av.offset(), bo = bv.offset();
            for (int i = r - 3, rem = bi; i >= 0; i--) {
                int idx = rem % bd[i];
                rem /= bd[i];
                ao += idx * as[i];
                bo += idx * bs[i];
            }
            SimdGemmF32.gemm(m, n, k, x, ao, as[r - 2], as[r - 1], y, bo, bs[r - 2], bs[r - 1], o, oc.offset() + bi * m * n, n);
        }
    }

    /** At most this many rows: packing B costs more than streaming it once ({@link #skinny}). */
    static final int SKINNY = 8;

    /**
     * Few rows (a batch of LSTM states times a large weight matrix): each task owns four rows and four vectors of output
     * columns, holds those 16 sums in registers and streams the matching strip of B down all k rows, so B is read once
     * in all and the output is written once. Per output element the products are added in k order with fma, starting
     * from 0, as {@link #rowF32} does.
     */
    private static void skinny(Tensor oc, Tensor aa, Tensor bb, int m, int n, int k, int batches) {
        float[] x = ScalarBackend.cpu(aa).f32, y = ScalarBackend.cpu(bb).f32, o = ScalarBackend.cpu(oc).f32;
        int lanes = FS.length(), strip = 4 * lanes, strips = Math.ceilDiv(n, strip), groups = Math.ceilDiv(m, 4);
        Parallel.forRange(batches * groups * strips, 1, (from, to) -> {
            float[] tail = new float[4 * strip];
            for (int task = from; task < to; task++) {
                int bi = task / (groups * strips), rest = task % (groups * strips), i0 = rest / strips * 4, j0 = rest % strips * strip;
                int ao = aa.offset() + bi * m * k, bo = bb.offset() + bi * k * n, oo = oc.offset() + bi * m * n;
                if (j0 + strip <= n) {
                    strip4(x, ao, y, bo, o, oo, m, n, k, i0, j0);
                    continue;
                }
                for (int i = i0; i < Math.min(m, i0 + 4); i++) {                    // the last, narrow strip
                    for (int j = j0; j < n; j++) {
                        float acc = 0f;
                        for (int p = 0; p < k; p++) acc = Math.fma(x[ao + i * k + p], y[bo + p * n + j], acc);
                        o[oo + i * n + j] = acc;
                    }
                }
            }
        });
    }

    /** Rows i0..i0+3 (clamped to m; the extra rows are computed and dropped) × columns j0..j0+4L of one product. */
    private static void strip4(float[] x, int ao, float[] y, int bo, float[] o, int oo, int m, int n, int k, int i0, int j0) {
        int lanes = FS.length();
        int r0 = ao + i0 * k, r1 = ao + Math.min(i0 + 1, m - 1) * k, r2 = ao + Math.min(i0 + 2, m - 1) * k, r3 = ao + Math.min(i0 + 3, m - 1) * k;
        FloatVector z = FloatVector.zero(FS);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        for (int p = 0; p < k; p++) {
            int b = bo + p * n + j0;
            FloatVector b0 = FloatVector.fromArray(FS, y, b), b1 = FloatVector.fromArray(FS, y, b + lanes);
            FloatVector b2 = FloatVector.fromArray(FS, y, b + 2 * lanes), b3 = FloatVector.fromArray(FS, y, b + 3 * lanes);
            FloatVector a = FloatVector.broadcast(FS, x[r0 + p]);
            c00 = b0.fma(a, c00); c01 = b1.fma(a, c01); c02 = b2.fma(a, c02); c03 = b3.fma(a, c03);
            a = FloatVector.broadcast(FS, x[r1 + p]);
            c10 = b0.fma(a, c10); c11 = b1.fma(a, c11); c12 = b2.fma(a, c12); c13 = b3.fma(a, c13);
            a = FloatVector.broadcast(FS, x[r2 + p]);
            c20 = b0.fma(a, c20); c21 = b1.fma(a, c21); c22 = b2.fma(a, c22); c23 = b3.fma(a, c23);
            a = FloatVector.broadcast(FS, x[r3 + p]);
            c30 = b0.fma(a, c30); c31 = b1.fma(a, c31); c32 = b2.fma(a, c32); c33 = b3.fma(a, c33);
        }
        int w = oo + i0 * n + j0;
        c00.intoArray(o, w); c01.intoArray(o, w + lanes); c02.intoArray(o, w + 2 * lanes); c03.intoArray(o, w + 3 * lanes);
        if (i0 + 1 >= m) return;
        w += n;
        c10.intoArray(o, w); c11.intoArray(o, w + lanes); c12.intoArray(o, w + 2 * lanes); c13.intoArray(o, w + 3 * lanes);
        if (i0 + 2 >= m) return;
        w += n;
        c20.intoArray(o, w); c21.intoArray(o, w + lanes); c22.intoArray(o, w + 2 * lanes); c23.intoArray(o, w + 3 * lanes);
        if (i0 + 3 >= m) return;
        w += n;
        c30.intoArray(o, w); c31.intoArray(o, w + lanes); c32.intoArray(o, w + 2 * lanes); c33.intoArray(o, w + 3 * lanes);
    }

    private static void rows(Tensor oc, Tensor aa, Tensor bb,
                             int m, int n, int k, int batches) {
        CpuStorage x = ScalarBackend.cpu(aa), y = ScalarBackend.cpu(bb), o = ScalarBackend.cpu(oc);
        boolean f32 = oc.dtype() == DType.F32;
        Parallel.forRange(batches * m, Math.max(1, 4096 / Math.max(1, n * k / 64 + 1)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int bi = row / m, i = row % m;
                int ao = aa.offset() + bi * m * k + i * k, bo = bb.offset() + bi * k * n, oo = oc.offset() + bi * m * n + i * n;
                if (f32) rowF32(x.f32, ao, y.f32, bo, o.f32, oo, k, n);
                else rowF64(x.f64, ao, y.f64, bo, o.f64, oo, k, n);
            }
        });
    }

    private static final VectorSpecies<Float> FS = Species.F32;
    private static final VectorSpecies<Double> DS = Species.F64;

    private static void rowF32(float[] a, int ao, float[] b, int bo, float[] o, int oo, int k, int n) {
        java.util.Arrays.fill(o, oo, oo + n, 0f);
        int bound = FS.loopBound(n);
        for (int p = 0; p < k; p++) {
            float av = a[ao + p];
            FloatVector va = FloatVector.broadcast(FS, av);
            int brow = bo + p * n, j = 0;
            for (; j < bound; j += FS.length()) {
                FloatVector.fromArray(FS, b, brow + j).fma(va, FloatVector.fromArray(FS, o, oo + j)).intoArray(o, oo + j);
            }
            for (; j < n; j++) o[oo + j] = Math.fma(av, b[brow + j], o[oo + j]);
        }
    }

    private static void rowF64(double[] a, int ao, double[] b, int bo, double[] o, int oo, int k, int n) {
        java.util.Arrays.fill(o, oo, oo + n, 0.0);
        int bound = DS.loopBound(n);
        for (int p = 0; p < k; p++) {
            double av = a[ao + p];
            DoubleVector va = DoubleVector.broadcast(DS, av);
            int brow = bo + p * n, j = 0;
            for (; j < bound; j += DS.length()) {
                DoubleVector.fromArray(DS, b, brow + j).fma(va, DoubleVector.fromArray(DS, o, oo + j)).intoArray(o, oo + j);
            }
            for (; j < n; j++) o[oo + j] = Math.fma(av, b[brow + j], o[oo + j]);
        }
    }
}
