package org.lopt4j.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Species;

/** The fused Adam/AdamW pass: a scalar twin over {@link Buf} (F32 or F64) and a Vector API F32 kernel. */
final class AdamKernel {
    private static final VectorSpecies<Float> S = Species.F32;

    private AdamKernel() {}

    /** The plain-loop twin: one element at a time, in double. */
    static void generic(Buf p, Buf g, Buf m, Buf v, int n, double b1, double b2, double eps, double epsRoot,
                        double wd, double lr, double bc1, double bc2) {
        double ob1 = 1 - b1, ob2 = 1 - b2;
        Fused.pass(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g.get(i), pi = p.get(i);
                double mi = b1 * m.get(i) + ob1 * gi, vi = b2 * v.get(i) + ob2 * gi * gi;
                m.set(i, mi);
                v.set(i, vi);
                p.set(i, pi - lr * ((mi / bc1) / (Math.sqrt(vi / bc2 + epsRoot) + eps) + wd * pi));
            }
        });
    }

    /** The SIMD kernel over float slabs, both cores, scalar tail. */
    static void f32(Slab params, Slab grads, Slab ms, Slab vs, float b1, float b2, float eps, float epsRoot, float wd,
                    float lr, float bc1, float bc2) {
        float[] p = arr(params), g = arr(grads), m = arr(ms), v = arr(vs);
        float ob1 = 1f - b1, ob2 = 1f - b2, ibc1 = 1f / bc1, ibc2 = 1f / bc2;
        Fused.pass(p.length, (from, to) -> {
            int i = from;
            FloatVector vb1 = FloatVector.broadcast(S, b1), vb2 = FloatVector.broadcast(S, b2);
            FloatVector vob1 = FloatVector.broadcast(S, ob1), vob2 = FloatVector.broadcast(S, ob2);
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector gi = FloatVector.fromArray(S, g, i), pi = FloatVector.fromArray(S, p, i);
                FloatVector mi = FloatVector.fromArray(S, m, i).mul(vb1).add(gi.mul(vob1));
                FloatVector vi = FloatVector.fromArray(S, v, i).mul(vb2).add(gi.mul(gi).mul(vob2));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                FloatVector u = mi.mul(ibc1).div(vi.mul(ibc2).add(epsRoot).sqrt().add(eps)).add(pi.mul(wd));
                pi.sub(u.mul(lr)).intoArray(p, i);
            }
            for (; i < to; i++) {
                float gi = g[i], pi = p[i];
                float mi = b1 * m[i] + ob1 * gi, vi = b2 * v[i] + ob2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                p[i] = pi - lr * ((mi * ibc1) / ((float) Math.sqrt(vi * ibc2 + epsRoot) + eps) + wd * pi);
            }
        });
    }

    private static float[] arr(Slab s) { return ((CpuStorage) s.flat().storage()).f32; }
}
