package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.opencl.ClParity.REF;
import static org.lopt4j.opencl.ClParity.assertWithin;
import static org.lopt4j.opencl.ClParity.both;
import static org.lopt4j.opencl.ClParity.check;
import static org.lopt4j.opencl.ClParity.rand;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** reduce.cl and matmul.cl against ScalarBackend, through every launch shape the planners choose, every dtype. */
@Tag("gpu")
class OpenClReduceMatmulParityTest {
    /** F32 sums accumulate in float in another order than ScalarBackend's double: |error| <= SUM_REL * sum |x|. */
    static final double SUM_REL_F32 = 1e-5;
    /** F64 sums: the same in double, in another order. */
    static final double SUM_REL_F64 = 1e-13;
    /** Unit roundoff: a K-term dot product is within (K + 2) u sum |a||b| of the exact one (Higham's gamma_K). */
    static double unitRoundoff(DType d) { return d == DType.F64 ? 0x1.0p-53 : 0x1.0p-24; }

    @BeforeAll static void device() { OpenClSupport.backendOrSkip(); }

    /** Reduces {@code x} (a reference tensor) over {@code axes}, optionally of its transpose, on both backends. */
    static void checkReduce(Op.Reduce op, Tensor x, int[] axes, boolean transposed) {
        Tensor view = transposed ? x.mT() : x;
        int[] od = view.shape().dims();
        for (int a : axes) od[a] = 1;
        String what = op + " " + x.dtype() + " axes " + Arrays.toString(axes) + " of " + view.shape() + (transposed ? " (transposed)" : "");
        ClParity.Run run = (b, o, in) -> b.execute(op, o, transposed ? in[0].mT() : in[0]);
        if (op == Op.Reduce.MAX || x.dtype() == DType.I32) {
            check(what, x.dtype(), Shape.of(od), new Tensor[] {x}, 0, run);
            return;
        }
        double[][] r = both(x.dtype(), Shape.of(od), new Tensor[] {x}, run);
        double[] tol = view.to(DType.F64).abs().sumKeep(axes).toDoubleArray();
        double rel = x.dtype() == DType.F64 ? SUM_REL_F64 : SUM_REL_F32;
        for (int i = 0; i < tol.length; i++) tol[i] = rel * tol[i] + Float.MIN_VALUE;
        assertWithin(r[0], r[1], tol, what);
    }

    @Test void everyAxisSubsetEveryDtype() {
        int[][] shapes = {{7}, {300, 257}, {4, 5, 6}, {2, 3, 4, 5}};
        for (DType d : ClParity.dtypes(true)) {
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

    @Test void splitSerialAndGroupPlans() {
        for (DType d : ClParity.dtypes(false)) {
            for (Op.Reduce op : Op.Reduce.values()) {
                checkReduce(op, rand(d, new int[] {1, 1 << 19}, -1, 1), new int[] {1}, false);      // split, one output
                checkReduce(op, rand(d, new int[] {3, 1 << 17}, -1, 1), new int[] {1}, false);      // split, few outputs
                checkReduce(op, rand(d, new int[] {256, 1024}, -1, 1), new int[] {0, 1}, false);    // split, rank-0 kept
                checkReduce(op, rand(d, new int[] {64, 2048}, -1, 1), new int[] {0}, false);        // serial, contiguous
                checkReduce(op, rand(d, new int[] {2048, 10}, -1, 1), new int[] {1}, false);        // serial, short rows
                checkReduce(op, rand(d, new int[] {40, 3000}, -1, 1), new int[] {1}, false);        // groups, one per row
            }
        }
        checkReduce(Op.Reduce.SUM, rand(DType.I32, new int[] {1, 1 << 18}, -100, 100), new int[] {1}, false);  // I32: never split
        Tensor huge = Tensor.full(REF, DType.I32, Shape.of(4, 1000), 3_000_000);
        checkReduce(Op.Reduce.SUM, huge, new int[] {1}, false);                                          // I32 sum saturates
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
    static void checkMatmul(String what, int k, Shape out, Tensor a, Tensor b, ClParity.Run run) {
        DType d = a.dtype();
        double[][] r = both(d, out, new Tensor[] {a, b}, run);
        Tensor absOut = Tensor.zeros(REF, DType.F64, out);
        run.into(REF, absOut, new Tensor[] {a.to(DType.F64).abs(), b.to(DType.F64).abs()});
        double[] bound = absOut.toDoubleArray();
        for (int i = 0; i < bound.length; i++) bound[i] = (k + 2) * unitRoundoff(d) * bound[i] + Double.MIN_VALUE;
        assertWithin(r[0], r[1], bound, what + " " + d);
    }

    static void plain(String what, DType d, int[] ad, int[] bd) {
        Tensor a = rand(d, ad, -1, 1), b = rand(d, bd, -1, 1);
        int r = ad.length;
        int[] od = ad.clone();
        od[r - 1] = bd[r - 1];
        checkMatmul(what, ad[r - 1], Shape.of(od), a, b, (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0], in[1]));
    }

    @Test void tilesTailsAndBatches() {
        for (DType d : ClParity.dtypes(false)) {
            plain("33x33", d, new int[] {33, 33}, new int[] {33, 33});
            plain("batched", d, new int[] {3, 17, 17}, new int[] {3, 17, 17});
            plain("uneven", d, new int[] {70, 130}, new int[] {130, 129});
            plain("larger", d, new int[] {257, 300}, new int[] {300, 190});
            plain("row vector", d, new int[] {1, 77}, new int[] {77, 65});
            plain("column vector", d, new int[] {65, 77}, new int[] {77, 1});
            plain("K = 0", d, new int[] {4, 0}, new int[] {0, 5});
        }
        plain("more batches than the NDRange cap", DType.F32, new int[] {70_000, 1, 2}, new int[] {70_000, 2, 1});
    }

    @Test void flagsViewsAndBroadcastBatches() {
        for (DType d : ClParity.dtypes(false)) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Op.MatMul op = new Op.MatMul(ta, tb);
                    Tensor a = rand(d, ta ? new int[] {2, 70, 13} : new int[] {2, 13, 70}, -1, 1);
                    Tensor b = rand(d, tb ? new int[] {2, 13, 70} : new int[] {2, 70, 13}, -1, 1);
                    checkMatmul("flags " + ta + " " + tb, 70, Shape.of(2, 13, 13), a, b, (be, o, in) -> be.execute(op, o, in[0], in[1]));
                    checkMatmul("flags " + ta + " " + tb + " into a transposed view", 70, Shape.of(2, 13, 13), a, b,
                            (be, o, in) -> be.execute(op, o.mT(), in[0], in[1]));
                }
            }
            Tensor a = rand(d, new int[] {2, 9, 9}, -1, 1), b = rand(d, new int[] {1, 9, 9}, -1, 1);
            checkMatmul("broadcast batch", 9, Shape.of(2, 9, 9), a, b,
                    (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0], in[1].expand(Shape.of(2, 9, 9))));
            Tensor c = rand(d, new int[] {40, 30}, -1, 1), e = rand(d, new int[] {50, 40}, -1, 1);
            checkMatmul("transposed views, flags off", 40, Shape.of(30, 50), c, e,
                    (be, o, in) -> be.execute(Op.MatMul.NN, o, in[0].mT(), in[1].mT()));
        }
    }
}
