package org.lopt4j.learned.celo2;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.lanes.Factors;
import org.lopt4j.learned.lanes.LaneAccumulate;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.LearnedOps.Celo2Args;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.VecMath;

/**
 * CELO2's step on float slabs with the Vector API (the twin is {@link Celo2Ref}): the clips and the AdamW branch as
 * vector loops, the accumulators by the lanes' accumulate pass, then per leading index of each rank-≥ 2 tensor its 30
 * features laid out feature-major, normalized, through the split MLP lane-parallel over elements, and Newton–Schulz as
 * matrix products on the backend's GEMM.
 */
public final class Celo2Simd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Celo2Simd() {}

    static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    /** One step of {@code a} on float slabs. */
    public static void step(Celo2Args a) {
        FactoredArgs fa = a.state();
        SlabLayout l = fa.layout();
        int per = a.perMember(), members = l.count() / per;
        float[] g = f(fa.grads());
        float lim = (float) a.gradClipVal();
        for (int m = 0; m < members; m++) {
            int from = l.offset(m * per), to = l.offset((m + 1) * per - 1) + l.numel((m + 1) * per - 1);
            double sum = 0;
            for (int t = m * per; t < (m + 1) * per; t++) sum += sumSquares(g, l.offset(t), l.numel(t));
            float scale = (float) (a.clipNorm() > 0 ? a.clipNorm() / Math.max(Math.sqrt(sum), a.clipNorm()) : 1);
            int i = from;
            for (; i + S.length() <= to; i += S.length()) {
                FloatVector x = FloatVector.fromArray(S, g, i);
                (scale == 1f ? x : x.mul(scale)).max(-lim).min(lim).intoArray(g, i);
            }
            for (; i < to; i++) g[i] = Math.max(-lim, Math.min(lim, scale == 1f ? g[i] : g[i] * scale));
        }
        Factors[] fac = LaneAccumulate.accumulate(fa, null);
        int[] counts = UpdateCounts.read(fa.count(), l.count(), fa.countStride());
        float[] theta = f(a.theta());
        Parallel.forRange(l.count(), 1, (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                if (l.shape(t).rank() <= 1) adamw(a, t, counts[t]);
                else celo2(a, theta, (t / per) * a.thetaStride(), fac[t], t);
            }
        });
    }

    private static double sumSquares(float[] x, int off, int n) {
        double sum = 0;
        int e = 0;
        for (; e + S.length() <= n; e += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + e);
            sum += v.mul(v).reduceLanes(VectorOperators.ADD);
        }
        for (; e < n; e++) sum += (double) x[off + e] * x[off + e];
        return sum;
    }

    private static void adamw(Celo2Args a, int t, int step) {
        int off = a.state().layout().offset(t), n = a.state().layout().numel(t);
        float[] p = f(a.state().params()), g = f(a.state().grads()), m, v;
        double b1, b2;
        if (a.adamM() != null) {
            m = f(a.adamM());
            v = f(a.adamV());
            b1 = Celo2.BETA1;
            b2 = Celo2.BETA2;
            for (int e = off; e < off + n; e++) {
                m[e] = (float) (m[e] * b1 + g[e] * (1 - b1));
                v[e] = (float) (v[e] * b2 + (double) g[e] * g[e] * (1 - b2));
            }
        } else {
            m = f(a.state().m0());
            v = f(a.state().v());
            b1 = Celo2.MOM[0];
            b2 = Celo2.RMS;
        }
        double lrA = a.adamLr(), bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        for (int e = off; e < off + n; e++) {
            double u = (m[e] / bc1) / (Math.sqrt(v[e] / bc2) + Celo2.ADAM_EPS);
            p[e] = (float) (p[e] - lrA * (u + a.adamWeightDecay() * p[e]));
        }
    }

    private static void celo2(Celo2Args c, float[] theta, int at, Factors fac, int t) {
        FactoredArgs a = c.state();
        Backend backend = a.params().backend();
        float lr = (float) c.lr();
        SlabLayout l = a.layout(), rl = org.lopt4j.optim.FactoredDims.rowLayout(l), cl = org.lopt4j.optim.FactoredDims.colLayout(l);
        int off = l.offset(t), n = l.numel(t), rank = l.shape(t).rank();
        int rows = l.shape(t).dim(rank - 2), cols = l.shape(t).dim(rank - 1), block = rows * cols, leads = n / block, hid = c.hidden();
        float[] p = ((CpuStorage) a.params().storage()).f32, g = ((CpuStorage) a.grads().storage()).f32, v = ((CpuStorage) a.v().storage()).f32;
        float[][] m = {st(a.m0()), st(a.m1()), st(a.m2())}, r = {st(a.r0()), st(a.r1()), st(a.r2())}, cc = {st(a.c0()), st(a.c1()), st(a.c2())};
        int ro = rl.offset(t), co = cl.offset(t);
        float[][] w0 = new float[Celo2.FEATURES][hid];
        for (int q = 0; q < Celo2.FEATURES; q++) System.arraycopy(theta, at + q * hid, w0[q], 0, hid);
        int b0 = at + Celo2.FEATURES * hid, w1 = b0 + hid, b1 = w1 + hid * hid, w2 = b1 + hid, b2 = w2 + Celo2.OUTPUTS * hid;
        // whole vectors only (columns padded with zeros): a masked tail load through a helper left C2 boxing every vector
        int padded = Math.ceilDiv(block, S.length()) * S.length();
        float[][] x = new float[Celo2.FEATURES][padded];
        float[] step = new float[padded];
        float[][] h0 = new float[hid][S.length()], h1 = new float[hid][S.length()];
        float wd = (float) c.weightDecay();
        for (int lead = 0; lead < leads; lead++) {
            int base = lead * block;
            for (int j = 0; j < block; j++) {
                int e = base + j, ri = fac.f().row(e), ci = fac.f().col(e);
                float gi = g[off + e], rms = v[off + e], rs = (float) (1 / Math.sqrt(rms + 1e-8));
                x[0][j] = gi;
                x[1][j] = Math.max(-0.1f, Math.min(0.1f, gi));
                x[2][j] = p[off + e];
                x[6][j] = rms;
                x[10][j] = rs;
                x[14][j] = gi * rs;
                for (int k = 0; k < 3; k++) {
                    float mk = m[k][off + e], f2 = (float) (fac.rowFac()[k][ri] * fac.colFac()[k][ci]), row = r[k][ro + ri], col = cc[k][co + ci];
                    x[3 + k][j] = mk;
                    x[7 + k][j] = mk * rs;
                    x[11 + k][j] = gi * f2;
                    x[15 + k][j] = row;
                    x[18 + k][j] = col;
                    x[21 + k][j] = (float) (1 / Math.sqrt(row + 1e-8));
                    x[24 + k][j] = (float) (1 / Math.sqrt(col + 1e-8));
                    x[27 + k][j] = mk * f2;
                }
            }
            for (float[] column : x) {
                float inv = (float) (1 / Math.sqrt(1e-9 + sumSquares(column, 0, block) / block));
                scale(column, block, inv);
            }
            int j = 0;
            for (; j < block; j += S.length()) {
                for (int u = 0; u < hid; u++) {
                    FloatVector z = FloatVector.broadcast(S, theta[b0 + u]);
                    for (int q = 0; q < Celo2.FEATURES; q++) z = FloatVector.fromArray(S, x[q], j).fma(FloatVector.broadcast(S, w0[q][u]), z);
                    z.max(0f).intoArray(h0[u], 0);
                }
                for (int u = 0; u < hid; u++) {
                    FloatVector z = FloatVector.broadcast(S, theta[b1 + u]);
                    for (int i = 0; i < hid; i++) z = FloatVector.fromArray(S, h0[i], 0).fma(FloatVector.broadcast(S, theta[w1 + i * hid + u]), z);
                    z.max(0f).intoArray(h1[u], 0);
                }
                FloatVector dir = FloatVector.broadcast(S, theta[b2]), mag = FloatVector.broadcast(S, theta[b2 + 1]);
                for (int i = 0; i < hid; i++) {
                    FloatVector h = FloatVector.fromArray(S, h1[i], 0);
                    dir = h.fma(FloatVector.broadcast(S, theta[w2 + i * Celo2.OUTPUTS]), dir);
                    mag = h.fma(FloatVector.broadcast(S, theta[w2 + i * Celo2.OUTPUTS + 1]), mag);
                }
                FloatVector out = c.expMult() == 0 ? dir : dir.mul(VecMath.exp(mag.mul((float) c.expMult())));
                out.intoArray(step, j);
            }
            if (c.orthogonalize()) {
                float[] whole = padded == block ? step : java.util.Arrays.copyOf(step, block);
                System.arraycopy(NewtonSchulz.orthogonalize(whole, rows, cols, NewtonSchulz.EPS, backend), 0, step, 0, block);
            }
            scale(step, block, (float) (1 / Math.sqrt(1e-9 + sumSquares(step, 0, block) / block)));
            for (int e = 0; e < block; e++) p[off + base + e] = p[off + base + e] - lr * (step[e] + wd * p[off + base + e]);
        }
    }

    private static float[] st(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    private static void scale(float[] a, int n, float s) {
        int e = 0;
        for (; e + S.length() <= n; e += S.length()) FloatVector.fromArray(S, a, e).mul(s).intoArray(a, e);
        for (; e < n; e++) a[e] *= s;
    }
}
