package org.lopt4j.opencl;

import static org.lopt4j.opencl.ClParity.REF;
import static org.lopt4j.opencl.ClParity.check;
import static org.lopt4j.opencl.ClParity.rand;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** elementwise.cl and move.cl against ScalarBackend: every unary and binary op, where, fill and copy, every dtype, on views. */
@Tag("gpu")
class OpenClElementwiseParityTest {
    /** OpenCL's exp, log (3 ulp) and tanh (5 ulp) against Java's double result rounded once, plus that rounding. */
    static final double TRANSCENDENTAL_ULPS = 8;
    /** Special inputs (inf, 0, NaN, tiny) of exp/log/tanh: only the class of the result (inf, NaN, 0) must agree. */
    static final double SPECIAL_ULPS = 1e6;

    /** Sizes that hit tails, several rows and a size-1 axis. */
    static final int[][] SHAPES = {{1}, {7}, {33}, {3, 5}, {17, 33}, {4, 1, 9}, {300, 257}};

    @BeforeAll static void device() { OpenClSupport.backendOrSkip(); }

    static double[] domain(Op.Unary u, DType d) {
        if (d == DType.I32) {
            return switch (u) {
                case TANH -> new double[] {-15, 15};   // far from tanh = +-1 in double, where truncation would be fragile
                case EXP -> new double[] {-10, 10};
                case NEG, RECIP, LOG, SQRT, ABS, SIGN -> new double[] {-50, 50};   // NaN and +-inf saturate alike
            };
        }
        return switch (u) {
            case NEG, ABS, SIGN, TANH -> new double[] {-4, 4};
            case EXP -> new double[] {-20, 20};
            case LOG, SQRT, RECIP -> new double[] {0.01, 100};
        };
    }

    static double ulps(Op.Unary u, DType d) {
        if (d == DType.I32) return 0;
        return switch (u) {
            case EXP, LOG, TANH -> TRANSCENDENTAL_ULPS;
            case NEG, RECIP, SQRT, ABS, SIGN -> 0;   // correctly rounded = the double result rounded once
        };
    }

    static void unary(Backend b, Op.Unary u, Tensor out, Tensor x) { b.execute(u, out, x); }

    @Test void unaryOpsContiguousAndTransposed() {
        for (DType d : ClParity.dtypes(true)) {
            for (Op.Unary u : Op.Unary.values()) {
                double[] dom = domain(u, d);
                for (int[] s : SHAPES) {
                    Tensor x = rand(d, s, dom[0], dom[1]);
                    check(u + " " + d + " " + Shape.of(s), d, Shape.of(s), new Tensor[] {x}, ulps(u, d), (b, o, in) -> unary(b, u, o, in[0]));
                    if (s.length == 2) {
                        check(u + " " + d + " transposed", d, Shape.of(s[1], s[0]), new Tensor[] {x}, ulps(u, d),
                                (b, o, in) -> unary(b, u, o, in[0].mT()));
                    }
                }
            }
        }
    }

    static void binary(Backend b, Op.Binary op, Tensor out, Tensor x, Tensor y) {
        b.execute(op, out, x.broadcastTo(out.shape()), y.broadcastTo(out.shape()));
    }

    @Test void binaryOpsWithBroadcastingAndViews() {
        for (DType d : ClParity.dtypes(true)) {
            for (Op.Binary op : Op.Binary.values()) {
                double[] dom = op == Op.Binary.DIV && d != DType.I32 ? new double[] {0.5, 3} : new double[] {-30, 30};
                for (int[] s : SHAPES) {
                    Tensor[] xy = {rand(d, s, dom[0], dom[1]), rand(d, s, dom[0], dom[1])};
                    check(op + " " + d + " " + Shape.of(s), d, Shape.of(s), xy, 0, (b, o, in) -> binary(b, op, o, in[0], in[1]));
                }
                Tensor[] xy = {rand(d, new int[] {37, 41}, dom[0], dom[1]), rand(d, new int[] {37, 41}, dom[0], dom[1])};
                Shape s = Shape.of(37, 41);
                check(op + " row", d, s, xy, 0, (b, o, in) -> binary(b, op, o, in[0], in[1].slice(0, 3, 4, 1)));
                check(op + " column", d, s, xy, 0, (b, o, in) -> binary(b, op, o, in[0], in[1].slice(1, 5, 6, 1)));
                check(op + " scalar", d, s, xy, 0, (b, o, in) -> binary(b, op, o, in[0].slice(0, 0, 1, 1).slice(1, 0, 1, 1).reshape(), in[1]));
                check(op + " strided out", d, Shape.of(41, 37), xy, 0, (b, o, in) -> binary(b, op, o.mT(), in[0], in[1]));
                check(op + " in place", d, s, xy, 0, (b, o, in) -> {
                    o.assign(in[0]);
                    b.execute(op, o, o, in[1]);
                });
            }
        }
    }

    @Test void integerEdgesSaturateLikeJava() {
        int[] x = {Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE, 7, -7, 0, 5, Integer.MAX_VALUE, -1, 0};
        int[] y = {1, -1, 1, 0, 0, 0, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, -3};
        Tensor[] xy = {Tensor.of(REF, x, x.length), Tensor.of(REF, y, y.length)};
        for (Op.Binary op : Op.Binary.values()) {
            check(op + " I32 edges", DType.I32, Shape.of(x.length), xy, 0, (b, o, in) -> binary(b, op, o, in[0], in[1]));
        }
        for (Op.Unary u : Op.Unary.values()) {
            check(u + " I32 edges", DType.I32, Shape.of(x.length), xy, 0, (b, o, in) -> unary(b, u, o, in[0]));
        }
    }

    @Test void moreElementsThanOneGridPassCovers() {
        int[] big = {3, 100_003};   // above 2 compute units x 32 groups x 256 work-items: the grid-stride loop goes round
        Tensor x = rand(DType.F32, big, -2, 2), y = rand(DType.F32, big, -2, 2);
        check("neg, large", DType.F32, Shape.of(big), new Tensor[] {x}, 0, (b, o, in) -> unary(b, Op.Unary.NEG, o, in[0]));
        check("mul, large, transposed", DType.F32, Shape.of(big[1], big[0]), new Tensor[] {x, y}, 0,
                (b, o, in) -> binary(b, Op.Binary.MUL, o, in[0].mT(), in[1].mT()));
    }

    @Test void rankEightViewsThatCannotMerge() {
        int[] dims = {2, 3, 2, 2, 3, 2, 2, 3};
        Tensor[] xy = {rand(DType.F32, dims, -1, 1), rand(DType.F32, dims, -1, 1)};
        Shape reversed = Shape.of(3, 2, 2, 3, 2, 2, 3, 2);
        check("add over rank 8", DType.F32, reversed, xy, 0,
                (b, o, in) -> binary(b, Op.Binary.ADD, o, in[0].permute(7, 6, 5, 4, 3, 2, 1, 0), in[1].permute(7, 6, 5, 4, 3, 2, 1, 0)));
    }

    @Test void specialValuesKeepJavaSemantics() {
        double[] v = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1, -1, 2, 0.5, -3,
                Double.NaN, 7, 0, -0.0, 1e-3, 5, 6, 1e-40, -1e-40};
        for (DType d : ClParity.dtypes(false)) {
            Tensor x = Tensor.of(REF, v, v.length).to(d);
            Tensor y = x.neg().add(Tensor.full(REF, d, x.shape(), 0.5));
            Shape s = x.shape();
            for (Op.Unary u : Op.Unary.values()) {
                double ulps = u == Op.Unary.EXP || u == Op.Unary.TANH || u == Op.Unary.LOG ? SPECIAL_ULPS : 0;
                check(u + " special " + d, d, s, new Tensor[] {x}, ulps, (b, o, in) -> unary(b, u, o, in[0]));
            }
            for (Op.Binary op : Op.Binary.values()) {
                check(op + " special " + d, d, s, new Tensor[] {x, y}, 0, (b, o, in) -> binary(b, op, o, in[0], in[1]));
                check(op + " special swapped " + d, d, s, new Tensor[] {y, x}, 0, (b, o, in) -> binary(b, op, o, in[0], in[1]));
            }
        }
    }

    @Test void whereWithConditionsOfEveryDtype() {
        double[] c = {0, 1, -0.0, Double.NaN, 2, -1, 0, 0.5};
        for (DType cd : ClParity.dtypes(true)) {
            for (DType d : ClParity.dtypes(true)) {
                Tensor cond = Tensor.of(REF, c, c.length).to(cd);
                Tensor[] in = {cond, rand(d, new int[] {c.length}, -9, 9), rand(d, new int[] {c.length}, -9, 9)};
                check("where " + cd + " -> " + d, d, Shape.of(c.length), in, 0, (b, o, t) -> b.execute(new Op.Where(), o, t[0], t[1], t[2]));
                for (int[] s : SHAPES) {
                    Tensor[] r = {rand(cd, s, -1.5, 1.5), rand(d, s, -9, 9), rand(d, s, -9, 9)};
                    check("where " + Shape.of(s), d, Shape.of(s), r, 0, (b, o, t) -> b.execute(new Op.Where(), o, t[0], t[1], t[2]));
                }
            }
        }
    }

    @Test void fillAndCopyIntoViewsWithConversions() {
        for (DType d : ClParity.dtypes(true)) {
            check("fill view " + d, d, Shape.of(30, 40), new Tensor[0], 0, (b, o, in) -> o.slice(1, 1, 40, 3).fill(7));
            check("fill -0.5 " + d, d, Shape.of(5, 3), new Tensor[0], 0, (b, o, in) -> o.fill(-0.5));
            Tensor x = rand(d, new int[] {30, 20}, -9, 9);
            check("copy transposed " + d, d, Shape.of(20, 30), new Tensor[] {x}, 0, (b, o, in) -> o.assign(in[0].mT()));
            check("copy into view " + d, d, Shape.of(30, 40), new Tensor[] {x}, 0, (b, o, in) -> o.slice(1, 0, 40, 2).assign(in[0]));
            check("copy broadcast " + d, d, Shape.of(30, 20), new Tensor[] {x}, 0, (b, o, in) -> o.assign(in[0].slice(0, 2, 3, 1)));
            for (DType to : ClParity.dtypes(true)) {
                check("convert " + d + " -> " + to, to, Shape.of(20, 30), new Tensor[] {x}, 0, (b, o, in) -> o.assign(in[0].mT()));
            }
        }
        double[] f = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3e9, -3e9, -0.5, 2.9999, -7.5, 16777217, 0,
                1e300, 0.1};
        for (DType from : ClParity.dtypes(false)) {
            Tensor floats = Tensor.of(REF, f, f.length).to(from);
            check(from + " -> I32 truncates and saturates", DType.I32, Shape.of(f.length), new Tensor[] {floats}, 0, (b, o, in) -> o.assign(in[0]));
            for (DType to : ClParity.dtypes(false)) {
                check(from + " -> " + to + " rounds to nearest", to, Shape.of(f.length), new Tensor[] {floats}, 0, (b, o, in) -> o.assign(in[0]));
            }
        }
        int[] i = {Integer.MAX_VALUE, Integer.MIN_VALUE, 16_777_217, -16_777_219, 0, -1, 123_456_789};
        Tensor ints = Tensor.of(REF, i, i.length);
        for (DType to : ClParity.dtypes(false)) {
            check("I32 -> " + to + " rounds to nearest", to, Shape.of(i.length), new Tensor[] {ints}, 0, (b, o, in) -> o.assign(in[0]));
        }
    }
}
