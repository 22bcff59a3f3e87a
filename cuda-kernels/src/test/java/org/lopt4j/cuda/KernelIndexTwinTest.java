package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.MatmulProblem;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Without a GPU: the arguments the launchers compute (merged axes, views, strides, splits), walked by plain-Java
 * copies of the kernels' loops, give ScalarBackend's results in F64. This checks the index math a kernel relies on;
 * the arithmetic itself is checked on a device by CudaParityTest.
 */
class KernelIndexTwinTest {
    static final ScalarBackend REF = ScalarBackend.INSTANCE;
    /** Split sums add partial sums in another order than ScalarBackend: F64 reassociation only. */
    static final double SPLIT_SUM_REL = 1e-12;

    static int seed = 11;

    static Tensor rand(int... dims) {
        return Tensor.random(REF, DType.F64, Shape.of(dims), RandomKey.of(seed++), Op.Dist.NORMAL);
    }

    static double[] data(Tensor t) { return ((CpuStorage) t.storage()).f64; }

    static Tensor poisoned(Shape s) { return Tensor.full(REF, DType.F64, s, Double.NaN); }

    // ------------------------------------------------------------------ reduce.cu

    /** reduce_serial's loop (splits == 1) or reduce_blocks' two passes, over Reduction's layouts. */
    static void emulateReduce(Op.Reduce op, Tensor out, Tensor x, int splits) {
        Reduction.Axes ax = Reduction.Axes.of(out, x);
        StridedLayout kept = ax.kept(), red = ax.reduced();
        long nOut = kept.count(), nRed = red.count();
        double[] xs = data(x), os = data(out);
        if (splits == 1) {
            for (long o = 0; o < nOut; o++) {
                long base = kept.view(1).offsetOf(kept.dims(), o);
                double acc = identity(op);
                for (long r = 0; r < nRed; r++) acc = combine(op, acc, xs[(int) (base + red.view(0).offsetOf(red.dims(), r))]);
                os[(int) kept.view(0).offsetOf(kept.dims(), o)] = acc;
            }
            return;
        }
        View partialView = Reduction.contiguous(kept.dims(), splits);
        double[] partial = new double[(int) (nOut * splits)];
        long chunk = Math.ceilDiv(nRed, splits);
        for (long b = 0; b < nOut * splits; b++) {
            long o = b / splits, s = b % splits;
            long base = kept.view(1).offsetOf(kept.dims(), o);
            double acc = identity(op);
            for (long r = s * chunk; r < Math.min(nRed, (s + 1) * chunk); r++) {
                acc = combine(op, acc, xs[(int) (base + red.view(0).offsetOf(red.dims(), r))]);
            }
            partial[(int) (partialView.offsetOf(kept.dims(), o) + s)] = acc;
        }
        Dims splitDims = Dims.of(splits);
        View splitView = View.of(0, 1);
        for (long o = 0; o < nOut; o++) {
            long base = partialView.offsetOf(kept.dims(), o);
            double acc = identity(op);
            for (long s = 0; s < splits; s++) acc = combine(op, acc, partial[(int) (base + splitView.offsetOf(splitDims, s))]);
            os[(int) kept.view(0).offsetOf(kept.dims(), o)] = acc;
        }
    }

    static double identity(Op.Reduce op) { return op == Op.Reduce.SUM ? 0 : Double.NEGATIVE_INFINITY; }

    static double combine(Op.Reduce op, double a, double b) { return op == Op.Reduce.SUM ? a + b : Math.max(a, b); }

    @Test void reductionLayoutsCoverEveryAxisSubset() {
        int[][] shapes = {{7}, {30, 17}, {4, 5, 6}, {2, 3, 4, 5}};
        for (Op.Reduce op : Op.Reduce.values()) {
            for (int[] s : shapes) {
                for (int mask = 1; mask < (1 << s.length); mask++) {
                    final int m = mask;
                    int[] axes = IntStream.range(0, s.length).filter(i -> ((m >> i) & 1) != 0).toArray();
                    Tensor x = rand(s);
                    for (Tensor in : new Tensor[] {x, s.length >= 2 ? x.mT() : x}) {
                        for (int splits : new int[] {1, 3}) {
                            checkReduce(op, in, axes, splits);
                        }
                    }
                }
            }
        }
    }

    @Test void reductionIntoAStridedOutputView() {
        Tensor x = rand(6, 8);
        Tensor big = poisoned(Shape.of(6, 3)), ref = poisoned(Shape.of(6, 3));
        emulateReduce(Op.Reduce.SUM, big.slice(1, 1, 2, 1), x, 1);
        REF.execute(Op.Reduce.SUM, ref.slice(1, 1, 2, 1), x);
        assertArrayEquals(data(ref), data(big), 0, "only the view's column is written");
    }

    static void checkReduce(Op.Reduce op, Tensor in, int[] axes, int splits) {
        int[] od = in.shape().dims();
        for (int a : axes) od[a] = 1;
        Tensor want = poisoned(Shape.of(od)), got = poisoned(Shape.of(od));
        REF.execute(op, want, in);
        emulateReduce(op, got, in, splits);
        double tol = op == Op.Reduce.SUM && splits > 1 ? SPLIT_SUM_REL : 0;
        double[] w = data(want), g = data(got);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], tol * Math.max(1, Math.abs(w[i])), op + " axes " + java.util.Arrays.toString(axes) + " of " + in.shape());
        }
    }

    @Test void planPicksSerialForContiguousKeptAxesAndSplitsLongReductions() {
        Reduction.Plan rows = Reduction.Plan.of(4096, 512, true, true, 132);
        assertTrue(rows.serial());
        Reduction.Plan whole = Reduction.Plan.of(1, 1 << 24, false, true, 132);
        assertFalse(whole.serial());
        assertTrue(whole.splits() > 1 && whole.splits() <= Reduction.MAX_SPLITS, "splits " + whole.splits());
        assertEquals(Reduction.MAX_THREADS, whole.threads());
        Reduction.Plan ints = Reduction.Plan.of(1, 1 << 24, false, false, 132);
        assertEquals(1, ints.splits(), "I32 partial sums would saturate: never split");
        Reduction.Plan shortRows = Reduction.Plan.of(10, 40, false, true, 132);
        assertEquals(64, shortRows.threads(), "a multiple of 32 covering the row");
    }

    // ------------------------------------------------------------------ matmul.cu

    /** matmul_sgemm's index math (without tiling, which only reorders loads) over MatmulProblem. */
    static void emulateMatmul(Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        MatmulProblem p = MatmulProblem.of("cuda", op, out, a, b);
        StridedLayout l = p.batch();
        double[] os = data(out), as = data(a), bs = data(b);
        for (long z = 0; z < l.count(); z++) {
            long oo = l.view(0).offsetOf(l.dims(), z), ao = l.view(1).offsetOf(l.dims(), z), bo = l.view(2).offsetOf(l.dims(), z);
            for (int i = 0; i < p.m(); i++) {
                for (int j = 0; j < p.n(); j++) {
                    double acc = 0;
                    for (int k = 0; k < p.k(); k++) acc += as[(int) (ao + i * p.aRs() + k * p.aCs())] * bs[(int) (bo + k * p.bRs() + j * p.bCs())];
                    os[(int) (oo + i * p.oRs() + j * p.oCs())] = acc;
                }
            }
        }
    }

    @Test void matmulStridesForEveryFlagAndBatchLayout() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Op.MatMul op = new Op.MatMul(ta, tb);
                Tensor a = rand(2, 3, ta ? 7 : 5, ta ? 5 : 7), b = rand(2, 3, tb ? 4 : 7, tb ? 7 : 4);
                checkMatmul(op, Shape.of(2, 3, 5, 4), a, b);
                checkMatmul(op, Shape.of(2, 3, 5, 4), a.slice(1, 0, 1, 1).expand(a.shape()), b);   // broadcast batch
                checkMatmul(op, Shape.of(3, 2, 5, 4), a.permute(1, 0, 2, 3), b.permute(1, 0, 2, 3)); // strided batch
            }
        }
        checkMatmul(Op.MatMul.NN, Shape.of(70, 65), rand(70, 1), rand(1, 65));
        checkMatmul(Op.MatMul.NN, Shape.of(9, 6), rand(8, 9).mT(), rand(6, 8).mT());   // views, flags off
    }

    static void checkMatmul(Op.MatMul op, Shape outShape, Tensor a, Tensor b) {
        Tensor want = poisoned(outShape), got = poisoned(outShape);
        REF.execute(op, want, a, b);
        emulateMatmul(op, got, a, b);
        assertArrayEquals(data(want), data(got), 0, op + " " + a.shape() + " @ " + b.shape());
        Tensor big = poisoned(Shape.of(outShape.dim(-1), outShape.dim(-2))), ref = poisoned(big.shape());
        if (outShape.rank() == 2) {   // a transposed output view
            REF.execute(op, ref.mT(), a, b);
            emulateMatmul(op, big.mT(), a, b);
            assertArrayEquals(data(ref), data(big), 0, op + " into a transposed view");
        }
    }

    // ------------------------------------------------------------------ gather.cu

    @Test void gatherLayoutPicksRowsOfStridedTables() {
        Tensor table = rand(6, 4, 5).permute(0, 2, 1);   // rows of a strided view
        Tensor index = Tensor.of(REF, new double[] {5, 0, 3, 3, 1}, 5);
        Tensor want = poisoned(Shape.of(5, 5, 4)), got = poisoned(Shape.of(5, 5, 4));
        REF.execute(new Op.Gather(), want, table, index);
        Gather.Layout l = Gather.Layout.of(got, table, index);
        double[] out = data(got), t = data(table), ix = data(index);
        long[] idx = new long[l.dims().rank()];
        for (long e = 0; e < l.dims().count(); e++) {
            long rem = e;   // unravel, as common.cuh does
            for (int k = l.dims().rank() - 1; k >= 0; k--) {
                idx[k] = rem % l.dims().size(k);
                rem /= l.dims().size(k);
            }
            int row = (int) ix[(int) offset(l.indexV(), idx)];
            long dst = offset(l.outV(), idx);
            idx[0] = row;
            out[(int) dst] = t[(int) offset(l.tableV(), idx)];
        }
        assertArrayEquals(data(want), out, 0);
    }

    static long offset(View v, long[] idx) {
        long off = v.offset();
        for (int k = 0; k < idx.length; k++) off += idx[k] * v.stride(k);
        return off;
    }
}
