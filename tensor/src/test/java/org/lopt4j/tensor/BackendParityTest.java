package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.SimdBackend;

/**
 * Every primitive on the SIMD backend against the scalar reference, F32 and F64, at the JVM's vector width (the
 * build runs this class at 512, 256 and 128 bits).
 */
class BackendParityTest {
    /** F32 transcendental lanes (SVML-style) may differ from the correctly rounded double reference by a few ulps. */
    static final double F32_ULPS = 4;
    /** F64 transcendental lanes: a few ulps as well. */
    static final double F64_ULPS = 4;
    /** F32 sums accumulate in float lanes; the error grows like sqrt(n) ulps of the sum of |x|. */
    static final double F32_SUM_REL = 1e-5;
    /** F64 sums: reassociation only. */
    static final double F64_SUM_REL = 1e-12;

    static final Backend REF = ScalarBackend.INSTANCE;

    static Stream<Arguments> backends() {
        List<Arguments> a = new ArrayList<>();
        // the vector width is fixed per JVM; Surefire runs this class again with -Dlopt4j.simd.bits=128 and 256
        for (DType d : new DType[] {DType.F32, DType.F64}) a.add(Arguments.of(SimdBackend.INSTANCE, d));
        return a.stream();
    }

    /** Sizes that hit vector tails, several rows and the parallel path. */
    static final int[][] SHAPES = {{1}, {7}, {33}, {3, 5}, {17, 33}, {4, 1, 9}, {300, 257}};

    // ------------------------------------------------------------------ input domains per op

    /** Inputs inside each unary op's domain; an op without a case does not compile. */
    static double[] domain(Op.Unary u) {
        return switch (u) {
            case NEG, ABS, SIGN, TANH -> new double[] {-4, 4};
            case EXP -> new double[] {-20, 20};
            case LOG, SQRT, RECIP -> new double[] {0.01, 100};
        };
    }

    static double[] domain(Op.Binary b) {
        return switch (b) {
            case ADD, SUB, MUL, MAX, MIN, CMPLT, CMPEQ -> new double[] {-3, 3};
            case DIV -> new double[] {0.5, 3};
        };
    }

    // ------------------------------------------------------------------ helpers

    static int seed = 1;

    static Tensor rand(Backend b, DType d, int[] dims, double lo, double hi) {
        Tensor u = Tensor.random(REF, DType.F64, Shape.of(dims), RandomKey.of(seed++), Op.Dist.UNIFORM);
        double[] v = u.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * v[i];
        Tensor t = Tensor.of(REF, v, dims).to(d);
        return t.to(b);
    }

    static void assertClose(Tensor expected, Tensor actual, double ulps, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what);
        double ulp1 = actual.dtype() == DType.F32 ? Math.ulp(1f) : Math.ulp(1.0);
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) { assertTrue(Double.isNaN(a[i]), what + " [" + i + "] expected NaN got " + a[i]); continue; }
            if (Double.isInfinite(e[i])) { assertEquals(e[i], a[i], what + " [" + i + "]"); continue; }
            double tol = ulps * ulp1 * Math.max(1, Math.abs(e[i]));
            assertEquals(e[i], a[i], tol, what + " [" + i + "]");
        }
    }

    /** Runs the same op on both backends; inputs are built on the reference and copied. */
    static void compare(Backend b, DType d, int[] dims, double lo, double hi, int arity, double ulps, String what,
                        BiFunction<Backend, Tensor[], Tensor> op) {
        Tensor[] ins = new Tensor[arity];
        for (int i = 0; i < arity; i++) ins[i] = rand(REF, d, dims, lo, hi);
        Tensor[] fast = new Tensor[arity];
        for (int i = 0; i < arity; i++) fast[i] = ins[i].to(b);
        assertClose(op.apply(REF, ins), op.apply(b, fast), ulps, what + " " + java.util.Arrays.toString(dims) + " on " + b.name() + " " + d);
    }

    static double ulps(DType d) { return d == DType.F32 ? F32_ULPS : F64_ULPS; }

    // ------------------------------------------------------------------ tests

    @ParameterizedTest @MethodSource("backends")
    void unaryContiguousAndStrided(Backend b, DType d) {
        for (Op.Unary u : Op.Unary.values()) {
            double[] dom = domain(u);
            for (int[] s : SHAPES) {
                compare(b, d, s, dom[0], dom[1], 1, ulps(d), u.name(), (be, x) -> apply(be, u, x[0]));
                if (s.length == 2) compare(b, d, s, dom[0], dom[1], 1, ulps(d), u + " transposed", (be, x) -> apply(be, u, x[0].mT()));
            }
        }
    }

    private static Tensor apply(Backend b, Op.Unary u, Tensor x) {
        Tensor out = Tensor.zeros(b, x.dtype(), x.shape());
        b.execute(u, out, x);
        return out;
    }

    @ParameterizedTest @MethodSource("backends")
    void binaryWithBroadcasting(Backend b, DType d) {
        for (Op.Binary op : Op.Binary.values()) {
            double[] dom = domain(op);
            for (int[] s : SHAPES) {
                compare(b, d, s, dom[0], dom[1], 2, 0, op.name(), (be, x) -> bin(be, op, x[0], x[1]));
            }
            // row vector, column vector, scalar, transposed operand, strided output
            compare(b, d, new int[] {37, 41}, dom[0], dom[1], 2, 0, op + " row", (be, x) -> bin(be, op, x[0], x[1].slice(0, 3, 4, 1)));
            compare(b, d, new int[] {37, 41}, dom[0], dom[1], 2, 0, op + " col", (be, x) -> bin(be, op, x[0], x[1].slice(1, 5, 6, 1)));
            compare(b, d, new int[] {37, 41}, dom[0], dom[1], 2, 0, op + " scalar", (be, x) -> bin(be, op, x[0].slice(0, 0, 1, 1).slice(1, 0, 1, 1).reshape(), x[1]));
            compare(b, d, new int[] {41, 41}, dom[0], dom[1], 2, 0, op + " transposed", (be, x) -> bin(be, op, x[0].mT(), x[1]));
            compare(b, d, new int[] {40, 41}, dom[0], dom[1], 2, 0, op + " strided out", (be, x) -> {
                Tensor out = Tensor.zeros(be, d, Shape.of(41, 40));
                be.execute(op, out.mT(), x[0], x[1]);
                return out;
            });
        }
    }

    private static Tensor bin(Backend b, Op.Binary op, Tensor x, Tensor y) {
        Shape s = Shape.broadcast(x.shape(), y.shape());
        Tensor out = Tensor.zeros(b, x.dtype(), s);
        b.execute(op, out, x.broadcastTo(s), y.broadcastTo(s));
        return out;
    }

    @ParameterizedTest @MethodSource("backends")
    void specialValues(Backend b, DType d) {
        double[] v = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1, -1, 2, 0.5, -3,
                Double.NaN, 7, 0, -0.0, 1e-3, 5, 6};
        Tensor x = Tensor.of(REF, v, v.length).to(d);
        Tensor y = x.slice(0, 0, v.length, 1).mul(x.scalar(-1)).add(x.scalar(0.5));
        for (Op.Unary u : Op.Unary.values()) {
            if (u == Op.Unary.EXP || u == Op.Unary.TANH || u == Op.Unary.LOG) {
                assertClose(apply(REF, u, x), apply(b, u, x.to(b)), 1e6, u + " special"); // NaN/Inf/0 positions
            } else {
                assertClose(apply(REF, u, x), apply(b, u, x.to(b)), 0, u + " special");
            }
        }
        for (Op.Binary op : Op.Binary.values()) assertClose(bin(REF, op, x, y), bin(b, op, x.to(b), y.to(b)), 0, op + " special");
    }

    @ParameterizedTest @MethodSource("backends")
    void whereCopyFill(Backend b, DType d) {
        for (int[] s : SHAPES) {
            compare(b, d, s, -1, 1, 3, 0, "where", (be, x) -> x[0].lt(x[0].scalar(0)).where(x[1], x[2]));
            compare(b, d, s, -1, 1, 1, 0, "copy", (be, x) -> Tensor.zeros(be, d, x[0].shape()).assign(x[0]));
            compare(b, d, s, -1, 1, 1, 0, "fill", (be, x) -> Tensor.zeros(be, d, x[0].shape()).fill(2.5));
        }
        compare(b, d, new int[] {30, 20}, -1, 1, 1, 0, "copy transposed", (be, x) -> x[0].mT().contiguous());
        compare(b, d, new int[] {30, 20}, -1, 1, 1, 0, "copy into view", (be, x) -> {
            Tensor o = Tensor.zeros(be, d, Shape.of(30, 40));
            o.slice(1, 0, 40, 2).assign(x[0]);
            return o;
        });
        for (DType other : DType.values()) {
            compare(b, d, new int[] {5, 7}, -9, 9, 1, 0, "cast to " + other, (be, x) -> x[0].to(other).to(d));
        }
    }

    @ParameterizedTest @MethodSource("backends")
    void reductions(Backend b, DType d) {
        double rel = d == DType.F32 ? F32_SUM_REL : F64_SUM_REL;
        int[][] shapes = {{7}, {300, 257}, {4, 5, 6}, {2, 3, 4, 5}};
        for (Op.Reduce r : Op.Reduce.values()) {
            for (int[] s : shapes) {
                for (int bits = 1; bits < (1 << s.length); bits++) {
                    final int mask = bits;
                    int[] axes = java.util.stream.IntStream.range(0, s.length).filter(i -> ((mask >> i) & 1) != 0).toArray();
                    double tol = r == Op.Reduce.MAX ? 0 : rel / (d == DType.F32 ? Math.ulp(1f) : Math.ulp(1.0)) * 30;
                    compare(b, d, s, -1, 1, 1, tol, r + " axes " + java.util.Arrays.toString(axes),
                            (be, x) -> r == Op.Reduce.SUM ? x[0].sumKeep(axes) : x[0].maxKeep(axes));
                }
            }
            compare(b, d, new int[] {40, 30}, -1, 1, 1, r == Op.Reduce.MAX ? 0 : 1e4, r + " transposed",
                    (be, x) -> r == Op.Reduce.SUM ? x[0].mT().sumKeep(1) : x[0].mT().maxKeep(1));
        }
        Tensor nan = Tensor.of(REF, new double[] {1, Double.NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}).to(d);
        assertTrue(Double.isNaN(nan.to(b).maxKeep(0).item()), "max propagates NaN");
        assertTrue(Double.isNaN(nan.to(b).sumKeep(0).item()), "sum propagates NaN");
    }

    @ParameterizedTest @MethodSource("backends")
    void matmulVariants(Backend b, DType d) {
        double tol = d == DType.F32 ? 64 : 64; // K-term dot products: reassociation and FMA, a few dozen ulps
        compare(b, d, new int[] {33, 33}, -1, 1, 2, tol, "matmul", (be, x) -> x[0].matmul(x[1]));
        compare(b, d, new int[] {3, 17, 17}, -1, 1, 2, tol, "batched", (be, x) -> x[0].matmul(x[1]));
        compare(b, d, new int[] {2, 9, 9}, -1, 1, 2, tol, "broadcast batch", (be, x) -> x[0].matmul(x[1].slice(0, 0, 1, 1)));
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Op.MatMul m = new Op.MatMul(ta, tb);
                compare(b, d, new int[] {2, 13, 13}, -1, 1, 2, tol, "flags " + ta + tb, (be, x) -> {
                    Tensor out = Tensor.zeros(be, d, Shape.of(2, 13, 13));
                    be.execute(m, out, x[0], x[1]);
                    return out;
                });
            }
        }
    }

    @ParameterizedTest @MethodSource("backends")
    void gatherAndRandom(Backend b, DType d) {
        Tensor table = rand(REF, d, new int[] {10, 6}, -1, 1);
        Tensor idx = Tensor.of(REF, new int[] {3, 0, 9, 3}, 4);
        assertClose(table.gather(idx), table.to(b).gather(idx.to(b)), 0, "gather");
        for (Op.Dist dist : Op.Dist.values()) {
            Tensor r0 = Tensor.random(REF, d, Shape.of(70_001), RandomKey.of(5), dist);
            Tensor r1 = Tensor.random(b, d, Shape.of(70_001), RandomKey.of(5), dist);
            assertArrayEquals(r0.toDoubleArray(), r1.toDoubleArray(), 0, "random " + dist + " bit-identical");
        }
    }
}
