package org.lopt4j.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Species;

/**
 * Vector API versions of the elementwise optimizer passes for F32 slabs (the {@link Buf} loops in each optimizer are
 * their plain-loop twins and the F64 path). One pass over the whole flat slab, both cores, scalar tail.
 */
final class SimdKernels {
    private static final VectorSpecies<Float> S = Species.F32;

    private SimdKernels() {}

    static float[] arr(Slab s) { return ((CpuStorage) s.flat().storage()).f32; }

    /** SGD with optional heavy-ball or Nesterov momentum ({@code b == null}: plain SGD). */
    static void sgd(float[] p, float[] g, float[] b, float lr, float mu, boolean nesterov) {
        Fused.pass(p.length, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector gi = FloatVector.fromArray(S, g, i), pi = FloatVector.fromArray(S, p, i);
                if (b == null) { pi.sub(gi.mul(lr)).intoArray(p, i); continue; }
                FloatVector bi = FloatVector.fromArray(S, b, i).mul(mu).add(gi);
                bi.intoArray(b, i);
                pi.sub((nesterov ? gi.add(bi.mul(mu)) : bi).mul(lr)).intoArray(p, i);
            }
            for (; i < to; i++) {
                if (b == null) { p[i] = p[i] - lr * g[i]; continue; }
                float bi = mu * b[i] + g[i];
                b[i] = bi;
                p[i] = p[i] - lr * (nesterov ? g[i] + mu * bi : bi);
            }
        });
    }

    /** RMSProp, uncentered and without momentum. */
    static void rmsprop(float[] p, float[] g, float[] v, float lr, float rho, float eps, boolean epsInSqrt) {
        float orho = 1f - rho;
        Fused.pass(p.length, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector gi = FloatVector.fromArray(S, g, i);
                FloatVector vi = FloatVector.fromArray(S, v, i).mul(rho).add(gi.mul(gi).mul(orho));
                vi.intoArray(v, i);
                FloatVector den = epsInSqrt ? vi.add(eps).sqrt() : vi.sqrt().add(eps);
                FloatVector.fromArray(S, p, i).sub(gi.div(den).mul(lr)).intoArray(p, i);
            }
            for (; i < to; i++) {
                float vi = rho * v[i] + orho * g[i] * g[i];
                v[i] = vi;
                float den = epsInSqrt ? (float) Math.sqrt(vi + eps) : (float) Math.sqrt(vi) + eps;
                p[i] = p[i] - lr * (g[i] / den);
            }
        });
    }

    /** Lion: sign of the interpolated momentum plus decoupled decay. */
    static void lion(float[] p, float[] g, float[] m, float lr, float b1, float b2, float wd) {
        Fused.pass(p.length, (from, to) -> {
            int i = from;
            FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector gi = FloatVector.fromArray(S, g, i), mi = FloatVector.fromArray(S, m, i), pi = FloatVector.fromArray(S, p, i);
                FloatVector c = mi.mul(b1).add(gi.mul(1f - b1));
                FloatVector sign = zero.blend(one, c.compare(VectorOperators.GT, 0f)).blend(one.neg(), c.compare(VectorOperators.LT, 0f));
                mi.mul(b2).add(gi.mul(1f - b2)).intoArray(m, i);
                pi.sub(sign.add(pi.mul(wd)).mul(lr)).intoArray(p, i);
            }
            for (; i < to; i++) {
                float c = b1 * m[i] + (1f - b1) * g[i];
                m[i] = b2 * m[i] + (1f - b2) * g[i];
                p[i] = p[i] - lr * (Math.signum(c) + wd * p[i]);
            }
        });
    }

    /** NAdamW as coded in learned_optimization. */
    static void nadamw(float[] p, float[] g, float[] m, float[] v, float lrT, float b1, float b2, float eps, float adamwWd, float l2, boolean nesterov) {
        Fused.pass(p.length, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector pi = FloatVector.fromArray(S, p, i), gi = FloatVector.fromArray(S, g, i).sub(pi.mul(l2));
                FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(1f - b1));
                FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(1f - b2));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                FloatVector num = nesterov ? mi.mul(b1).add(gi.mul(1f - b1)) : mi;
                pi.sub(num.mul(lrT).div(vi.sqrt().add(eps)).add(pi.mul(lrT * adamwWd))).intoArray(p, i);
            }
            for (; i < to; i++) {
                float pi = p[i], gi = g[i] - l2 * pi;
                float mi = b1 * m[i] + (1f - b1) * gi, vi = b2 * v[i] + (1f - b2) * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float num = nesterov ? b1 * mi + (1f - b1) * gi : mi;
                p[i] = pi - (lrT * num / ((float) Math.sqrt(vi) + eps) + lrT * adamwWd * pi);
            }
        });
    }
}
