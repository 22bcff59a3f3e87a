package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.Op;

/**
 * F32 row kernels of the SIMD backend: one row of {@code n} elements with per-operand inner stride; stride 1 or 0
 * (broadcast) runs in vectors with a scalar tail, any other stride runs the scalar definition of {@link ScalarBackend}.
 */
final class SimdF32 {
    private static final VectorSpecies<Float> S = Species.F32;

    private SimdF32() {}

    private static FloatVector load(float[] a, int off, int stride, int j) {
        return stride == 0 ? FloatVector.broadcast(S, a[off]) : FloatVector.fromArray(S, a, off + j);
    }

    private static boolean vectorizable(int... strides) {
        for (int st : strides) if (st != 0 && st != 1) return false;
        return true;
    }

    static void unary(Op.Unary op, float[] o, int oo, int os, float[] x, int xo, int xs, int n) {
        int j = 0;
        if (os == 1 && vectorizable(xs)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) apply(op, load(x, xo, xs, j)).intoArray(o, oo + j);
        }
        for (; j < n; j++) o[oo + j * os] = (float) ScalarBackend.unary(op, x[xo + j * xs]);
    }

    static FloatVector apply(Op.Unary op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case RECIP -> v.broadcast(1f).div(v);
            case EXP -> VecMath.exp(v);
            case LOG -> VecMath.log(v);
            case SQRT -> v.sqrt();
            case TANH -> VecMath.tanh(v);
            case ABS -> v.abs();
            case SIGN -> {
                FloatVector one = v.broadcast(1f);
                FloatVector r = v.broadcast(0f).blend(one, v.compare(VectorOperators.GT, 0f))
                        .blend(one.neg(), v.compare(VectorOperators.LT, 0f));
                yield r.blend(v, v.test(VectorOperators.IS_NAN));
            }
        };
    }

    static void binary(Op.Binary op, float[] o, int oo, int os,
                       float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        int j = 0;
        if (os == 1 && vectorizable(xs, ys)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                apply(op, load(x, xo, xs, j), load(y, yo, ys, j)).intoArray(o, oo + j);
            }
        }
        for (; j < n; j++) o[oo + j * os] = (float) ScalarBackend.binary(op, x[xo + j * xs], y[yo + j * ys]);
    }

    static FloatVector apply(Op.Binary op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case CMPLT -> a.broadcast(0f).blend(1f, a.compare(VectorOperators.LT, b));
            case CMPEQ -> a.broadcast(0f).blend(1f, a.compare(VectorOperators.EQ, b));
        };
    }

    static void where(float[] o, int oo, int os, float[] c, int co, int cs,
                      float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        int j = 0;
        if (os == 1 && vectorizable(cs, xs, ys)) {
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                VectorMask<Float> m = load(c, co, cs, j).compare(VectorOperators.NE, 0f);
                load(y, yo, ys, j).blend(load(x, xo, xs, j), m).intoArray(o, oo + j);
            }
        }
        for (; j < n; j++) o[oo + j * os] = c[co + j * cs] != 0 ? x[xo + j * xs] : y[yo + j * ys];
    }

    static void copy(float[] o, int oo, int os, float[] x, int xo, int xs, int n) {
        if (os == 1 && xs == 1) { System.arraycopy(x, xo, o, oo, n); return; }
        if (os == 1 && xs == 0) { java.util.Arrays.fill(o, oo, oo + n, x[xo]); return; }
        for (int j = 0; j < n; j++) o[oo + j * os] = x[xo + j * xs];
    }

    /** Sum or max of a row (F32 accumulation in vector lanes, then across lanes). */
    static float reduce(Op.Reduce op, float[] x, int xo, int xs, int n) {
        int j = 0;
        float acc = op == Op.Reduce.SUM ? 0f : Float.NEGATIVE_INFINITY;
        if (xs == 1 && n >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, acc);
            for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xo + j);
                va = op == Op.Reduce.SUM ? va.add(v) : va.max(v);
            }
            acc = op == Op.Reduce.SUM ? VecMath.sum(va) : maxLanes(va);
        }
        for (; j < n; j++) acc = op == Op.Reduce.SUM ? acc + x[xo + j * xs] : Math.max(acc, x[xo + j * xs]);
        return acc;
    }

    /** Lane maximum that propagates NaN (reduceLanes(MAX) need not). */
    private static float maxLanes(FloatVector v) {
        if (v.test(VectorOperators.IS_NAN).anyTrue()) return Float.NaN;
        return v.reduceLanes(VectorOperators.MAX);
    }
}
