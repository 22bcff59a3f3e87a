package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.cuda.GpuParity.REF;
import static org.lopt4j.cuda.GpuParity.assertWithin;
import static org.lopt4j.cuda.GpuParity.both;
import static org.lopt4j.cuda.GpuParity.check;
import static org.lopt4j.cuda.GpuParity.rand;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** reduce.cu and matmul.cu against ScalarBackend, through every launch shape the planners choose. */
@Tag("gpu")
class CudaReduceMatmulParityTest {
    /** F32 sums accumulate in float in another order than ScalarBackend's double: |error| <= SUM_REL * sum |x|. */
    static final double SUM_REL = 1e-5;
    /** Unit roundoff of float: a K-term dot product is within (K + 2) u sum |a||b| of the exact one (Higham's gamma_K). */
    static final double FLOAT_UNIT_ROUNDOFF = 0x1.0p-24;

    @BeforeAll static void device() { GpuSupport.backendOrSkip(); }

    /** Reduces {@code x} (a reference tensor) over {@code axes}, optionally of its transpose, on both backends. */
    static void checkReduce(Op.Reduce op, Tensor x, int[] axes, boolean transposed) {
        Tensor view = transposed ? x.mT() : x;
        int[] od = view.shape().dims();
        for (int a : axes) od[a] = 1;
        String what = op + " " + x.dtype() + " axes " + Arrays.toString(axes) + " of " + view.shape() + (transposed ? " (transposed)" : "");
        GpuParity.Run run = (b, o, in) -> b.execute(op, o, transposed ? in[0].mT() : in[0]);
        if (op == Op.Reduce.MAX || x.dtype() == DType.I32) {
            check(what, x.dtype(), Shape.of(od), new Tensor[] {x}, 0, run);
            return;
        }
        double[][] r = both(x.dtype(), Shape.of(od), new Tensor[] {x}, run);
        double[] tol = view.to(DType.F64).abs().sumKeep(axes).toDoubleArray();
        for (int i = 0; i < tol.length; i++) tol[i] = SUM_REL * tol[i] + Float.MIN_VALUE;
        assertWithin(r[0], r[1], tol, what);
    }

    @Test void everyAxisSubsetBothDtypes() {
        int[][] shapes = {{7}, {300, 257}, {4, 5, 6}, {2, 3, 4, 5}};
        for (DType d : new DType[] {DType.F32, DType.I32}) {
            for (Op.Reduce op : Op.Reduce.values()) {
                for (int[] s : shapes) {
                    Tensor x = rand(d, s, -1000, 1000);
                    for (int mask = 1; mask < (1 << s.length); mask++) {
                        final int m = mask;
                        int[] axes = IntStream.range(0, s.length).filter(i -> ((m >> i) & 1) != 0).toArray();
                        checkReduce(op, x, axes, false);
                        if (s.length >= 2) checkReduce(op, x, axes, true);
                    }
                }
            }
        }
    }

    @Test void splitSerialAndBlockPlans() {
        for (Op.Reduce op : Op.Reduce.values()) {
            checkReduce(op, rand(DType.F32, new int[] {1, 1 << 21}, -1, 1), new int[] {1}, false);      // split, one output
            checkReduce(op, rand(DType.F32, new int[] {3, 1 << 20}, -1, 1), new int[] {1}, false);      // split, few outputs
            checkReduce(op, rand(DType.F32, new int[] {512, 4096}, -1, 1), new int[] {0, 1}, false);    // split, rank-0 kept
            checkReduce(op, rand(DType.F32, new int[] {64, 4096}, -1, 1), new int[] {0}, false);        // serial, coalesced
            checkReduce(op, rand(DType.F32, new int[] {4096, 10}, -1, 1), new int[] {1}, false);        // serial, short rows
            checkReduce(op, rand(DType.I32, new int[] {1, 1 << 20}, -100, 100), new int[] {1}, false);  // I32: never split
        }
    }

    @Test void reduceIntoAStridedOutputViewAndPropagateNaN() {
        Tensor x = rand(DType.F32, new int[] {6, 8}, -1, 1);
        check("sum into a column view", DType.F32, Shape.of(6, 3), new Tensor[] {x}, 1e3,
                (b, o, in) -> b.execute(Op.Reduce.SUM, o.slice(1, 1, 2, 1), in[0]));
        double[] v = new double[20_000];
        Arrays.fill(v, 1);
        v[12_345] = Double.NaN;
        Tensor withNaN = Tensor.of(REF, v, 1, v.length).to(DType.F32);
        for (Op.Reduce op : Op.Reduce.values()) {
            double[][] r = both(DType.F32, Shape.of(1, 1), new Tensor[] {withNaN}, (b, o, in) -> b.execute(op, o, in[0]));
            assertTrue(Double.isNaN(r[1][0]), op + " propagates NaN, got " + r[1][0]);
        }
    }

    /** A K-term product into {@code out} on both backends; tolerance from |a| @ |b| per element. */
    static void checkMatmul(String what, int k, Shape out, Tensor a, Tensor b, GpuParity.Run run) {
        double[][] r = both(DType.F32, out, new Tensor[] {a, b}, run);
        Tensor absOut = Tensor.zeros(REF, DType.F64, out);
        run.into(REF, absOut, new Tensor[] {a.to(DType.F64).abs(), b.to(DType.F64).abs()});
        double[] bound = absOut.toDoubleArray();
        for (int i = 0; i < bound.length; i++) bound[i] = (k + 2) * FLOAT_UNIT_ROUNDOFF * bound[i] + Float.MIN_VALUE;
        assertWithin(r[0], r[1], bound, what);
    }

    static void plain(String what, int[] ad, int[] bd) {
        Tensor a = rand(DType.F32, ad, -1, 1), b = rand(DType.F32, bd, -1, 1);
        int r = ad.length;
        int[] od = ad.clone();
        od[r - 1] = bd[r - 1];
        checkMatmul(what, ad[r - 1], Shape.of(od), a, b, (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0], in[1]));
    }

    @Test void tilesTailsAndBatches() {
        plain("33x33", new int[] {33, 33}, new int[] {33, 33});
        plain("batched", new int[] {3, 17, 17}, new int[] {3, 17, 17});
        plain("uneven", new int[] {70, 130}, new int[] {130, 129});
        plain("larger", new int[] {257, 300}, new int[] {300, 190});
        plain("row vector", new int[] {1, 77}, new int[] {77, 65});
        plain("column vector", new int[] {65, 77}, new int[] {77, 1});
        plain("K = 0", new int[] {4, 0}, new int[] {0, 5});
        plain("more batches than gridDim.z", new int[] {70_000, 1, 2}, new int[] {70_000, 2, 1});
        plain("more row tiles than gridDim.y", new int[] {65_536 * 64 + 1, 1}, new int[] {1, 2});
    }

    @Test void flagsViewsAndBroadcastBatches() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Op.MatMul op = new Op.MatMul(ta, tb);
                Tensor a = rand(DType.F32, new int[] {2, 13, 70}, -1, 1), b = rand(DType.F32, new int[] {2, 70, 13}, -1, 1);
                if (ta) a = rand(DType.F32, new int[] {2, 70, 13}, -1, 1);
                if (tb) b = rand(DType.F32, new int[] {2, 13, 70}, -1, 1);
                checkMatmul("flags " + ta + " " + tb, 70, Shape.of(2, 13, 13), a, b, (be, o, in) -> be.execute(op, o, in[0], in[1]));
                checkMatmul("flags " + ta + " " + tb + " into a transposed view", 70, Shape.of(2, 13, 13), a, b,
                        (be, o, in) -> be.execute(op, o.mT(), in[0], in[1]));
            }
        }
        Tensor a = rand(DType.F32, new int[] {2, 9, 9}, -1, 1), b = rand(DType.F32, new int[] {1, 9, 9}, -1, 1);
        checkMatmul("broadcast batch", 9, Shape.of(2, 9, 9), a, b,
                (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0], in[1].expand(Shape.of(2, 9, 9))));
        Tensor c = rand(DType.F32, new int[] {40, 30}, -1, 1), d = rand(DType.F32, new int[] {50, 40}, -1, 1);
        checkMatmul("transposed views, flags off", 40, Shape.of(30, 50), c, d,
                (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0].mT(), in[1].mT()));
    }
}
