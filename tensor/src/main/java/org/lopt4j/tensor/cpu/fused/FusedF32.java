package org.lopt4j.tensor.cpu.fused;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element loops of {@link SimdFusedOps} for F32 slabs over {@code [from, to)} of the flat slab: vectors of species
 * {@code S}, then a scalar tail with the same float arithmetic. The math is the twins' ({@code cpu.ref.Fused*Ref}).
 * Constants such as {@code 1 − β} come in computed in double ({@code 1 − 0.999f} would be 1.3e-5 off).
 * {@link FusedF64} is this file with double for float.
 */
final class FusedF32 {
    /** Elements summed in vector lanes before the partial sum moves to a scalar. */
    private static final int BLOCK = 1024;

    private FusedF32() {}

    /** Σg² after the transform and the non-finite count into {@code out[0]}, {@code out[1]}. */
    static void gradStats(VectorSpecies<Float> S, float[] p, float[] g, float wd, float clip, boolean zero,
                          int from, int to, double[] out) {
        boolean writes = zero || wd != 0 || clip > 0;
        double sumSq = 0;
        long bad = 0;
        int i = from;
        // the block's lane sums live in memory, not in a loop-carried vector: with the species a parameter rather than a
        // constant, C2 boxed such a vector on every iteration (6 B per element of garbage)
        float[] acc = new float[S.length()];
        for (int bound = from + S.loopBound(to - from); i < bound; ) {
            java.util.Arrays.fill(acc, 0f);
            for (int blockEnd = Math.min(bound, i + BLOCK); i < blockEnd; i += S.length()) {
                FloatVector x = FloatVector.fromArray(S, g, i);
                VectorMask<Float> finite = x.test(VectorOperators.IS_FINITE);
                bad += S.length() - finite.trueCount();
                if (zero) x = FloatVector.zero(S).blend(x, finite);
                if (wd != 0) x = x.add(FloatVector.fromArray(S, p, i).mul(wd));
                if (clip > 0) x = x.max(-clip).min(clip);
                if (writes) x.intoArray(g, i);
                x.fma(x, FloatVector.fromArray(S, acc, 0)).intoArray(acc, 0);
            }
            sumSq += org.lopt4j.tensor.cpu.VecMath.sumInPlace(acc, 0, acc.length);
        }
        for (; i < to; i++) {
            float x = g[i];
            if (!Float.isFinite(x)) {
                bad++;
                if (zero) x = 0;
            }
            x = x + wd * p[i];
            if (clip > 0) x = Math.max(-clip, Math.min(clip, x));
            if (writes) g[i] = x;
            sumSq += x * x;
        }
        out[0] += sumSq;
        out[1] += bad;
    }

    static void sgd(VectorSpecies<Float> S, float[] p, float[] g, float lr, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector.fromArray(S, p, i).sub(FloatVector.fromArray(S, g, i).mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) p[i] = p[i] - lr * g[i];
    }

    static void momentum(VectorSpecies<Float> S, float[] p, float[] g, float[] b, float lr, float mu, boolean nesterov,
                         int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector bi = FloatVector.fromArray(S, b, i).mul(mu).add(gi);
            bi.intoArray(b, i);
            FloatVector step = nesterov ? gi.add(bi.mul(mu)) : bi;
            FloatVector.fromArray(S, p, i).sub(step.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            float bi = mu * b[i] + g[i];
            b[i] = bi;
            p[i] = p[i] - lr * (nesterov ? g[i] + mu * bi : bi);
        }
    }

    static void adamw(VectorSpecies<Float> S, float[] p, float[] g, float[] m, float[] v, float lr, float b1, float b2,
                      float ob1, float ob2, float eps, float epsRoot, float wd, float bc1, float bc2, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector gi = FloatVector.fromArray(S, g, i), pi = FloatVector.fromArray(S, p, i);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(ob1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(ob2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector u = mi.div(bc1).div(vi.div(bc2).add(epsRoot).sqrt().add(eps)).add(pi.mul(wd));
            pi.sub(u.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            float gi = g[i], pi = p[i];
            float mi = b1 * m[i] + ob1 * gi, vi = b2 * v[i] + ob2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - lr * (mi / bc1 / ((float) Math.sqrt(vi / bc2 + epsRoot) + eps) + wd * pi);
        }
    }

    static void nadamw(VectorSpecies<Float> S, float[] p, float[] g, float[] m, float[] v, float lrT, float b1, float b2,
                       float ob1, float ob2, float eps, float wd, float l2, boolean nesterov, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector pi = FloatVector.fromArray(S, p, i), gi = FloatVector.fromArray(S, g, i).sub(pi.mul(l2));
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(ob1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(ob2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector num = nesterov ? mi.mul(b1).add(gi.mul(ob1)) : mi;
            FloatVector step = num.div(vi.sqrt().add(eps)).mul(lrT).add(pi.mul(lrT * wd));
            pi.sub(step).intoArray(p, i);
        }
        for (; i < to; i++) {
            float pi = p[i], gi = g[i] - l2 * pi;
            float mi = b1 * m[i] + ob1 * gi, vi = b2 * v[i] + ob2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            float num = nesterov ? b1 * mi + ob1 * gi : mi;
            p[i] = pi - (num / ((float) Math.sqrt(vi) + eps) * lrT + lrT * wd * pi);
        }
    }

    /** RMSProp; {@code mg} is null unless centered, {@code b} null unless momentum. */
    static void rmsprop(VectorSpecies<Float> S, float[] p, float[] g, float[] v, float[] mg, float[] b, float lr, float rho,
                        float orho, float eps, boolean epsInSqrt, float mu, boolean nesterov, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(rho).add(gi.mul(gi).mul(orho));
            vi.intoArray(v, i);
            FloatVector var = vi;
            if (mg != null) {
                FloatVector mi = FloatVector.fromArray(S, mg, i).mul(rho).add(gi.mul(orho));
                mi.intoArray(mg, i);
                var = vi.sub(mi.mul(mi));
            }
            FloatVector u = gi.div(epsInSqrt ? var.add(eps).sqrt() : var.sqrt().add(eps));
            if (b != null) {
                FloatVector bi = FloatVector.fromArray(S, b, i).mul(mu).add(u);
                bi.intoArray(b, i);
                u = nesterov ? u.add(bi.mul(mu)) : bi;
            }
            FloatVector.fromArray(S, p, i).sub(u.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            float gi = g[i], vi = rho * v[i] + orho * (gi * gi);
            v[i] = vi;
            float var = vi;
            if (mg != null) {
                float mi = rho * mg[i] + orho * gi;
                mg[i] = mi;
                var = vi - mi * mi;
            }
            float u = gi / (epsInSqrt ? (float) Math.sqrt(var + eps) : (float) Math.sqrt(var) + eps);
            if (b != null) {
                float bi = mu * b[i] + u;
                b[i] = bi;
                u = nesterov ? u + mu * bi : bi;
            }
            p[i] = p[i] - lr * u;
        }
    }

    static void lion(VectorSpecies<Float> S, float[] p, float[] g, float[] m, float lr, float b1, float b2, float ob1,
                     float ob2, float wd, int from, int to) {
        FloatVector one = FloatVector.broadcast(S, 1), zero = FloatVector.zero(S);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector gi = FloatVector.fromArray(S, g, i), mi = FloatVector.fromArray(S, m, i), pi = FloatVector.fromArray(S, p, i);
            FloatVector x = mi.mul(b1).add(gi.mul(ob1));
            FloatVector sign = zero.blend(one, x.compare(VectorOperators.GT, 0)).blend(one.neg(), x.compare(VectorOperators.LT, 0));
            mi.mul(b2).add(gi.mul(ob2)).intoArray(m, i);
            pi.sub(sign.add(pi.mul(wd)).mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            float gi = g[i], mi = m[i], pi = p[i];
            float u = Math.signum(b1 * mi + ob1 * gi) + wd * pi;
            m[i] = b2 * mi + ob2 * gi;
            p[i] = pi - lr * u;
        }
    }
}
