package org.lopt4j.learned.l3rs;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.Species;

/**
 * L3RS's step for F32 slabs in vector lanes on both cores ({@link L3rsRef} is its twin): accumulate over the chunk
 * table (the base optimizers' state and per-chunk sums of squares: float lanes, chunks added in double), then per
 * tensor the layer network in double ({@link L3rsLayer}), then apply over the chunk table.
 */
public final class L3rsSimd {
    private static final VectorSpecies<Float> S = Species.F32;
    /** Elements per chunk of the chunk table. */
    static final int CHUNK = 4096;

    private L3rsSimd() {}

    private static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    /** One step for every tensor of every member of {@code a}. */
    public static void step(L3rsArgs a) {
        if (UpdateCounts.skipped(a.gradStats(), a.skipNonFinite(), a.skips())) return;
        SlabLayout l = a.layout();
        UpdateCounts.advance(a.count(), l.count(), a.countStride());
        int[] counts = UpdateCounts.read(a.count(), l.count(), a.countStride());
        ChunkTable ct = l.chunks(CHUNK);
        float[] p = f(a.params()), g = f(a.grads()), hb = f(a.b()), m = f(a.m()), v = f(a.v());
        float[][] bc = new float[l.count()][];
        for (int t = 0; t < l.count(); t++) {
            bc[t] = new float[] {(float) (1 / (1 - Math.pow(L3rs.BETA1, counts[t]))), (float) (1 / (1 - Math.pow(L3rs.BETA2, counts[t])))};
        }
        double[][] partial = new double[ct.size()][];
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), off = l.offset(t), s0 = ct.startOf(c), s1 = Math.min(s0 + CHUNK, l.numel(t));
                partial[c] = accumulate(p, g, hb, m, v, off + s0, off + s1, bc[t][0], bc[t][1]);
            }
        });
        double[][] sums = new double[l.count()][L3rsArgs.SUMS];
        for (int c = 0; c < ct.size(); c++) for (int k = 0; k < L3rsArgs.SUMS; k++) sums[ct.tensorOf(c)][k] += partial[c][k];
        float[][] out = L3rsLayer.all(a, sums, counts);
        float[] layerOut = f(a.layerOut());
        for (int t = 0; t < out.length; t++) System.arraycopy(out[t], 0, layerOut, t * L3rsArgs.LAYER_OUT, L3rsArgs.LAYER_OUT);
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), off = l.offset(t), s0 = ct.startOf(c), s1 = Math.min(s0 + CHUNK, l.numel(t));
                apply(p, g, hb, m, v, off + s0, off + s1, bc[t][0], bc[t][1], out[t]);
            }
        });
    }

    /**
     * Heavy ball, Adam's moments over {@code [from, to)}; returns {@code [Σp², Σg², Σb², Σadam², Σsign(b)²]} of the
     * chunk ({@code p} before the update).
     */
    static double[] accumulate(float[] p, float[] g, float[] hb, float[] m, float[] v, int from, int to, float ibc1, float ibc2) {
        float mom = (float) L3rs.MOMENTUM, b1 = (float) L3rs.BETA1, b2 = (float) L3rs.BETA2;
        float c1 = (float) (1 - L3rs.BETA1), c2 = (float) (1 - L3rs.BETA2);
        FloatVector sp = FloatVector.zero(S), sg = sp, sb = sp, sa = sp, ss = sp;
        int e = from;
        for (; e + S.length() <= to; e += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, e), pv = FloatVector.fromArray(S, p, e);
            FloatVector bv = FloatVector.fromArray(S, hb, e).mul(mom).add(gv);
            FloatVector mv = FloatVector.fromArray(S, m, e).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(S, v, e).mul(b2).add(gv.mul(gv).mul(c2));
            bv.intoArray(hb, e);
            mv.intoArray(m, e);
            vv.intoArray(v, e);
            FloatVector adam = adam(mv, vv, ibc1, ibc2), sign = sign(bv);
            sp = pv.fma(pv, sp);
            sg = gv.fma(gv, sg);
            sb = bv.fma(bv, sb);
            sa = adam.fma(adam, sa);
            ss = sign.fma(sign, ss);
        }
        double[] out = {lanes(sp), lanes(sg), lanes(sb), lanes(sa), lanes(ss)};
        for (; e < to; e++) {
            float gi = g[e], pi = p[e];
            hb[e] = mom * hb[e] + gi;
            m[e] = b1 * m[e] + c1 * gi;
            v[e] = b2 * v[e] + gi * gi * c2;
            float ad = (m[e] * ibc1) / ((float) Math.sqrt(v[e] * ibc2) + (float) L3rs.ADAM_EPS), sg1 = Math.signum(hb[e]);
            out[0] += pi * pi;
            out[1] += gi * gi;
            out[2] += hb[e] * hb[e];
            out[3] += ad * ad;
            out[4] += sg1 * sg1;
        }
        return out;
    }

    /** {@code p ← p − λ·Σ_q w_q·d_q} over {@code [from, to)}, {@code w_q = μ_q/(‖d_q‖ + 1e-12)} from the layer pass. */
    static void apply(float[] p, float[] g, float[] hb, float[] m, float[] v, int from, int to, float ibc1, float ibc2, float[] out) {
        float lambda = out[0], w0 = out[1] * out[5], w1 = out[2] * out[6], w2 = out[3] * out[7], w3 = out[4] * out[8];
        int e = from;
        for (; e + S.length() <= to; e += S.length()) {
            FloatVector bv = FloatVector.fromArray(S, hb, e);
            FloatVector dir = FloatVector.fromArray(S, g, e).mul(w0).add(bv.mul(w1))
                    .add(adam(FloatVector.fromArray(S, m, e), FloatVector.fromArray(S, v, e), ibc1, ibc2).mul(w2)).add(sign(bv).mul(w3));
            FloatVector.fromArray(S, p, e).sub(dir.mul(lambda)).intoArray(p, e);
        }
        for (; e < to; e++) {
            float ad = (m[e] * ibc1) / ((float) Math.sqrt(v[e] * ibc2) + (float) L3rs.ADAM_EPS);
            p[e] = p[e] - lambda * (g[e] * w0 + hb[e] * w1 + ad * w2 + Math.signum(hb[e]) * w3);
        }
    }

    private static FloatVector adam(FloatVector m, FloatVector v, float ibc1, float ibc2) {
        return m.mul(ibc1).div(v.mul(ibc2).sqrt().add((float) L3rs.ADAM_EPS));
    }

    private static FloatVector sign(FloatVector b) {
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        VectorMask<Float> pos = b.compare(VectorOperators.GT, 0f), neg = b.compare(VectorOperators.LT, 0f);
        return zero.blend(one, pos).blend(one.neg(), neg);
    }

    private static double lanes(FloatVector x) {
        double s = 0;
        for (int i = 0; i < S.length(); i++) s += x.lane(i);
        return s;
    }
}
