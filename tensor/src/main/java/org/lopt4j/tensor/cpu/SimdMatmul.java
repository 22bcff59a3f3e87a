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
    /** Output columns per task of {@link #skinny}: m rows of them stay in L1. */
    private static final int COLUMNS = 512;

    /**
     * Few rows (a batch of LSTM states times a large weight matrix): each task owns a block of output columns for all
     * m rows and streams B's rows through it once, so B is read once instead of once per row (or packed). Per output
     * element the products are added in k order with fma, as {@link #rowF32} does.
     */
    private static void skinny(Tensor oc, Tensor aa, Tensor bb, int m, int n, int k, int batches) {
        float[] x = ScalarBackend.cpu(aa).f32, y = ScalarBackend.cpu(bb).f32, o = ScalarBackend.cpu(oc).f32;
        int blocks = Math.ceilDiv(n, COLUMNS), lanes = FS.length();
        Parallel.forRange(batches * blocks, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bi = task / blocks, j0 = (task % blocks) * COLUMNS, j1 = Math.min(n, j0 + COLUMNS);
                int ao = aa.offset() + bi * m * k, bo = bb.offset() + bi * k * n, oo = oc.offset() + bi * m * n;
                int bound = j0 + (j1 - j0) / lanes * lanes;
                for (int i = 0; i < m; i++) java.util.Arrays.fill(o, oo + i * n + j0, oo + i * n + j1, 0f);
                for (int p = 0; p < k; p++) {
                    int brow = bo + p * n;
                    for (int i = 0; i < m; i++) {
                        float av = x[ao + i * k + p];
                        FloatVector va = FloatVector.broadcast(FS, av);
                        int orow = oo + i * n, j = j0;
                        for (; j < bound; j += lanes) {
                            FloatVector.fromArray(FS, y, brow + j).fma(va, FloatVector.fromArray(FS, o, orow + j)).intoArray(o, orow + j);
                        }
                        for (; j < j1; j++) o[orow + j] = Math.fma(av, y[brow + j], o[orow + j]);
                    }
                }
            }
        });
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
