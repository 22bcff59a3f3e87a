package org.lopt4j.tensor.cpu.fused;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element loops of {@link SimdFusedOps} for F64 slabs over {@code [from, to)} of the flat slab: vectors of species
 * {@code S}, then a scalar tail with the same double arithmetic. The math is the twins' ({@code cpu.ref.Fused*Ref}).
 * {@link FusedF32} with double for float (keep the two in step).
 */
final class FusedF64 {
    /** Elements summed in vector lanes before the partial sum moves to a scalar. */
    private static final int BLOCK = 1024;

    private FusedF64() {}

    /** Σg² after the transform and the non-finite count into {@code out[0]}, {@code out[1]}. */
    static void gradStats(VectorSpecies<Double> S, double[] p, double[] g, double wd, double clip, boolean zero,
                          int from, int to, double[] out) {
        boolean writes = zero || wd != 0 || clip > 0;
        double sumSq = 0;
        long bad = 0;
        int i = from;
        double[] acc = new double[S.length()];             // in memory, not a loop-carried vector (see FusedF32)
        for (int bound = from + S.loopBound(to - from); i < bound; ) {
            java.util.Arrays.fill(acc, 0.0);
            for (int blockEnd = Math.min(bound, i + BLOCK); i < blockEnd; i += S.length()) {
                DoubleVector x = DoubleVector.fromArray(S, g, i);
                VectorMask<Double> finite = x.test(VectorOperators.IS_FINITE);
                bad += S.length() - finite.trueCount();
                if (zero) x = DoubleVector.zero(S).blend(x, finite);
                if (wd != 0) x = x.add(DoubleVector.fromArray(S, p, i).mul(wd));
                if (clip > 0) x = x.max(-clip).min(clip);
                if (writes) x.intoArray(g, i);
                x.fma(x, DoubleVector.fromArray(S, acc, 0)).intoArray(acc, 0);
            }
            sumSq += org.lopt4j.tensor.cpu.VecMath.sum(DoubleVector.fromArray(S, acc, 0));
        }
        for (; i < to; i++) {
            double x = g[i];
            if (!Double.isFinite(x)) {
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

    static void sgd(VectorSpecies<Double> S, double[] p, double[] g, double lr, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector.fromArray(S, p, i).sub(DoubleVector.fromArray(S, g, i).mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) p[i] = p[i] - lr * g[i];
    }

    static void momentum(VectorSpecies<Double> S, double[] p, double[] g, double[] b, double lr, double mu, boolean nesterov,
                         int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector gi = DoubleVector.fromArray(S, g, i);
            DoubleVector bi = DoubleVector.fromArray(S, b, i).mul(mu).add(gi);
            bi.intoArray(b, i);
            DoubleVector step = nesterov ? gi.add(bi.mul(mu)) : bi;
            DoubleVector.fromArray(S, p, i).sub(step.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            double bi = mu * b[i] + g[i];
            b[i] = bi;
            p[i] = p[i] - lr * (nesterov ? g[i] + mu * bi : bi);
        }
    }

    static void adamw(VectorSpecies<Double> S, double[] p, double[] g, double[] m, double[] v, double lr, double b1, double b2,
                      double ob1, double ob2, double eps, double epsRoot, double wd, double bc1, double bc2, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector gi = DoubleVector.fromArray(S, g, i), pi = DoubleVector.fromArray(S, p, i);
            DoubleVector mi = DoubleVector.fromArray(S, m, i).mul(b1).add(gi.mul(ob1));
            DoubleVector vi = DoubleVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(ob2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            DoubleVector u = mi.div(bc1).div(vi.div(bc2).add(epsRoot).sqrt().add(eps)).add(pi.mul(wd));
            pi.sub(u.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            double gi = g[i], pi = p[i];
            double mi = b1 * m[i] + ob1 * gi, vi = b2 * v[i] + ob2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - lr * (mi / bc1 / (Math.sqrt(vi / bc2 + epsRoot) + eps) + wd * pi);
        }
    }

    static void nadamw(VectorSpecies<Double> S, double[] p, double[] g, double[] m, double[] v, double lrT, double b1, double b2,
                       double ob1, double ob2, double eps, double wd, double l2, boolean nesterov, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector pi = DoubleVector.fromArray(S, p, i), gi = DoubleVector.fromArray(S, g, i).sub(pi.mul(l2));
            DoubleVector mi = DoubleVector.fromArray(S, m, i).mul(b1).add(gi.mul(ob1));
            DoubleVector vi = DoubleVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(ob2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            DoubleVector num = nesterov ? mi.mul(b1).add(gi.mul(ob1)) : mi;
            DoubleVector step = num.div(vi.sqrt().add(eps)).mul(lrT).add(pi.mul(lrT * wd));
            pi.sub(step).intoArray(p, i);
        }
        for (; i < to; i++) {
            double pi = p[i], gi = g[i] - l2 * pi;
            double mi = b1 * m[i] + ob1 * gi, vi = b2 * v[i] + ob2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            double num = nesterov ? b1 * mi + ob1 * gi : mi;
            p[i] = pi - (num / (Math.sqrt(vi) + eps) * lrT + lrT * wd * pi);
        }
    }

    /** RMSProp; {@code mg} is null unless centered, {@code b} null unless momentum. */
    static void rmsprop(VectorSpecies<Double> S, double[] p, double[] g, double[] v, double[] mg, double[] b, double lr, double rho,
                        double orho, double eps, boolean epsInSqrt, double mu, boolean nesterov, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector gi = DoubleVector.fromArray(S, g, i);
            DoubleVector vi = DoubleVector.fromArray(S, v, i).mul(rho).add(gi.mul(gi).mul(orho));
            vi.intoArray(v, i);
            DoubleVector var = vi;
            if (mg != null) {
                DoubleVector mi = DoubleVector.fromArray(S, mg, i).mul(rho).add(gi.mul(orho));
                mi.intoArray(mg, i);
                var = vi.sub(mi.mul(mi));
            }
            DoubleVector u = gi.div(epsInSqrt ? var.add(eps).sqrt() : var.sqrt().add(eps));
            if (b != null) {
                DoubleVector bi = DoubleVector.fromArray(S, b, i).mul(mu).add(u);
                bi.intoArray(b, i);
                u = nesterov ? u.add(bi.mul(mu)) : bi;
            }
            DoubleVector.fromArray(S, p, i).sub(u.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            double gi = g[i], vi = rho * v[i] + orho * (gi * gi);
            v[i] = vi;
            double var = vi;
            if (mg != null) {
                double mi = rho * mg[i] + orho * gi;
                mg[i] = mi;
                var = vi - mi * mi;
            }
            double u = gi / (epsInSqrt ? Math.sqrt(var + eps) : Math.sqrt(var) + eps);
            if (b != null) {
                double bi = mu * b[i] + u;
                b[i] = bi;
                u = nesterov ? u + mu * bi : bi;
            }
            p[i] = p[i] - lr * u;
        }
    }

    static void lion(VectorSpecies<Double> S, double[] p, double[] g, double[] m, double lr, double b1, double b2, double ob1,
                     double ob2, double wd, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(S, 1), zero = DoubleVector.zero(S);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            DoubleVector gi = DoubleVector.fromArray(S, g, i), mi = DoubleVector.fromArray(S, m, i), pi = DoubleVector.fromArray(S, p, i);
            DoubleVector x = mi.mul(b1).add(gi.mul(ob1));
            DoubleVector sign = zero.blend(one, x.compare(VectorOperators.GT, 0)).blend(one.neg(), x.compare(VectorOperators.LT, 0));
            mi.mul(b2).add(gi.mul(ob2)).intoArray(m, i);
            pi.sub(sign.add(pi.mul(wd)).mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            double gi = g[i], mi = m[i], pi = p[i];
            double u = Math.signum(b1 * mi + ob1 * gi) + wd * pi;
            m[i] = b2 * mi + ob2 * gi;
            p[i] = pi - lr * u;
        }
    }
}
