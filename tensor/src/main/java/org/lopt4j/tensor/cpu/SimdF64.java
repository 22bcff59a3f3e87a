package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.Op;

/**
 * F64 row kernels of the SIMD backend: one row of {@code n} elements with per-operand inner stride; stride 1 or 0
 * (broadcast) runs in vectors with a scalar tail, any other stride runs the scalar definition of {@link ScalarBackend}.
 */
final class SimdF64 {
    private static final VectorSpecies<Double> S = Species.F64;

    private SimdF64() {}

    private static DoubleVector load(double[] a, int off, int stride, int j) {
        return stride == 0 ? DoubleVector.broadcast(S, a[off]) : DoubleVector.fromArray(S, a, off + j);
    }

    private static boolean vectorizable(int... strides) {
        for (int st : strides) if (st != 0 && st != 1) return false;
        return true;
    }

    static void unary(Op.Unary op, double[] o, int oo, int os, double[] x, int xo, int xs, int n) {
        int j = 0;
        if (os == 1 && vectorizable(xs)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) apply(op, load(x, xo, xs, j)).intoArray(o, oo + j);
        }
        for (; j < n; j++) o[oo + j * os] = ScalarBackend.unary(op, x[xo + j * xs]);
    }

    static DoubleVector apply(Op.Unary op, DoubleVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case RECIP -> v.broadcast(1.0).div(v);
            case EXP -> v.lanewise(VectorOperators.EXP);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case SQRT -> v.sqrt();
            case TANH -> v.lanewise(VectorOperators.TANH);
            case ABS -> v.abs();
            case SIGN -> {
                DoubleVector one = v.broadcast(1.0);
                DoubleVector r = v.broadcast(0.0).blend(one, v.compare(VectorOperators.GT, 0.0))
                        .blend(one.neg(), v.compare(VectorOperators.LT, 0.0));
                yield r.blend(v, v.test(VectorOperators.IS_NAN));
            }
        };
    }

    static void binary(Op.Binary op, double[] o, int oo, int os,
                       double[] x, int xo, int xs, double[] y, int yo, int ys, int n) {
        int j = 0;
        if (os == 1 && vectorizable(xs, ys)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                apply(op, load(x, xo, xs, j), load(y, yo, ys, j)).intoArray(o, oo + j);
            }
        }
        for (; j < n; j++) o[oo + j * os] = ScalarBackend.binary(op, x[xo + j * xs], y[yo + j * ys]);
    }

    static DoubleVector apply(Op.Binary op, DoubleVector a, DoubleVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case CMPLT -> a.broadcast(0.0).blend(1.0, a.compare(VectorOperators.LT, b));
            case CMPEQ -> a.broadcast(0.0).blend(1.0, a.compare(VectorOperators.EQ, b));
        };
    }

    static void where(double[] o, int oo, int os, double[] c, int co, int cs,
                      double[] x, int xo, int xs, double[] y, int yo, int ys, int n) {
        int j = 0;
        if (os == 1 && vectorizable(cs, xs, ys)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                VectorMask<Double> m = load(c, co, cs, j).compare(VectorOperators.NE, 0.0);
                load(y, yo, ys, j).blend(load(x, xo, xs, j), m).intoArray(o, oo + j);
            }
        }
        for (; j < n; j++) o[oo + j * os] = c[co + j * cs] != 0 ? x[xo + j * xs] : y[yo + j * ys];
    }

    static void copy(double[] o, int oo, int os, double[] x, int xo, int xs, int n) {
        if (os == 1 && xs == 1) { System.arraycopy(x, xo, o, oo, n); return; }
        if (os == 1 && xs == 0) { java.util.Arrays.fill(o, oo, oo + n, x[xo]); return; }
        for (int j = 0; j < n; j++) o[oo + j * os] = x[xo + j * xs];
    }

    /** Sum or max of a row (F64 accumulation in vector lanes, then across lanes). */
    static double reduce(Op.Reduce op, double[] x, int xo, int xs, int n) {
        int j = 0;
        double acc = op == Op.Reduce.SUM ? 0.0 : Double.NEGATIVE_INFINITY;
        if (xs == 1 && n >= S.length()) {
            DoubleVector va = DoubleVector.broadcast(S, acc);
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + j);
                va = op == Op.Reduce.SUM ? va.add(v) : va.max(v);
            }
            acc = op == Op.Reduce.SUM ? VecMath.sum(va) : maxLanes(va);
        }
        for (; j < n; j++) acc = op == Op.Reduce.SUM ? acc + x[xo + j * xs] : Math.max(acc, x[xo + j * xs]);
        return acc;
    }

    /** Lane maximum that propagates NaN (reduceLanes(MAX) need not). */
    private static double maxLanes(DoubleVector v) {
        if (v.test(VectorOperators.IS_NAN).anyTrue()) return Double.NaN;
        return v.reduceLanes(VectorOperators.MAX);
    }
}
