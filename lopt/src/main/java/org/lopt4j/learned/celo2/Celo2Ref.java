package org.lopt4j.learned.celo2;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.smallfc.SmallFcLoptRef;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.tensor.LearnedOps.Celo2Args;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * CELO2's step as plain loops in double over the slabs (celo2.md §1–§2), each value rounded once on store: the global
 * norm clip per member, the element clip, the accumulators (small_fc_lopt's accumulate pass at CELO2's fixed decays,
 * {@link SmallFcLoptRef#accumulate}), then per tensor the AdamW branch (rank ≤ 1) or the CELO2 branch: features,
 * normalization over the last two axes, the split MLP, Newton–Schulz, normalization, the update.
 */
public final class Celo2Ref {
    private Celo2Ref() {}

    static CpuStorage st(Tensor t) { return (CpuStorage) t.storage(); }

    /** One step of {@code a} (the CPU backends' definition of {@link org.lopt4j.tensor.LearnedOps#celo2}). */
    public static void step(Celo2Args a) {
        FactoredArgs f = a.state();
        SlabLayout l = f.layout();
        int per = a.perMember(), members = l.count() / per;
        CpuStorage g = st(f.grads());
        for (int m = 0; m < members; m++) {
            double sum = 0;
            for (int t = m * per; t < (m + 1) * per; t++) for (int e = 0; e < l.numel(t); e++) sum += g.get(l.offset(t) + e) * g.get(l.offset(t) + e);
            double scale = a.clipNorm() > 0 ? a.clipNorm() / Math.max(Math.sqrt(sum), a.clipNorm()) : 1;
            for (int t = m * per; t < (m + 1) * per; t++) {
                for (int e = 0; e < l.numel(t); e++) {
                    double x = g.get(l.offset(t) + e) * scale;
                    g.set(l.offset(t) + e, Math.max(-a.gradClipVal(), Math.min(a.gradClipVal(), x)));
                }
            }
        }
        SmallFcLoptRef.Factors[] fac = SmallFcLoptRef.accumulate(f);
        int[] counts = UpdateCounts.read(f.count(), l.count(), f.countStride());
        float[] theta = st(a.theta()).f32;
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                if (l.shape(t).rank() <= 1) adamw(a, t, counts[t]);
                else celo2(a, theta, (t / per) * a.thetaStride(), fac[t], t);
            }
        });
    }

    /** The AdamW branch: CELO2's own moments, or ELO-CELO2's shared momentum[0] and RMS (decays as float32, as PyLO reads them). */
    private static void adamw(Celo2Args a, int t, int step) {
        SlabLayout l = a.state().layout();
        int off = l.offset(t), n = l.numel(t);
        CpuStorage p = st(a.state().params()), g = st(a.state().grads()), m, v;
        double b1, b2;
        if (a.adamM() != null) {
            m = st(a.adamM());
            v = st(a.adamV());
            b1 = Celo2.BETA1;
            b2 = Celo2.BETA2;
            for (int e = 0; e < n; e++) {
                double gi = g.get(off + e);
                m.set(off + e, m.get(off + e) * b1 + gi * (1 - b1));
                v.set(off + e, v.get(off + e) * b2 + gi * gi * (1 - b2));
            }
        } else {
            m = st(a.state().m0());
            v = st(a.state().v());
            b1 = Celo2.MOM[0];
            b2 = Celo2.RMS;
        }
        double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        for (int e = 0; e < n; e++) {
            double pi = p.get(off + e), u = (m.get(off + e) / bc1) / (Math.sqrt(v.get(off + e) / bc2) + Celo2.ADAM_EPS);
            p.set(off + e, pi - a.adamLr() * (u + a.adamWeightDecay() * pi));
        }
    }

    /** The CELO2 branch of tensor t (rank ≥ 2, so factored) with member θ at {@code at}. */
    private static void celo2(Celo2Args c, float[] theta, int at, SmallFcLoptRef.Factors f, int t) {
        FactoredArgs a = c.state();
        SlabLayout l = a.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        int off = l.offset(t), n = l.numel(t), rank = l.shape(t).rank();
        int rows = l.shape(t).dim(rank - 2), cols = l.shape(t).dim(rank - 1), block = rows * cols, leads = n / block;
        CpuStorage p = st(a.params()), g = st(a.grads()), v = st(a.v());
        CpuStorage[] m = {(CpuStorage) a.m0().storage(), (CpuStorage) a.m1().storage(), (CpuStorage) a.m2().storage()};
        CpuStorage[] r = {(CpuStorage) a.r0().storage(), (CpuStorage) a.r1().storage(), (CpuStorage) a.r2().storage()};
        CpuStorage[] cc = {(CpuStorage) a.c0().storage(), (CpuStorage) a.c1().storage(), (CpuStorage) a.c2().storage()};
        int ro = rl.offset(t), co = cl.offset(t);
        double[][] x = new double[n][Celo2.FEATURES];
        for (int e = 0; e < n; e++) {
            double gi = g.get(off + e), rms = v.get(off + e), rs = 1 / Math.sqrt(rms + 1e-8);
            int ri = f.f().row(e), ci = f.f().col(e);
            double[] xe = x[e];
            xe[0] = gi;
            xe[1] = Math.max(-0.1, Math.min(0.1, gi));
            xe[2] = p.get(off + e);
            xe[6] = rms;
            xe[10] = rs;
            xe[14] = gi * rs;
            for (int k = 0; k < 3; k++) {
                double mk = m[k].get(off + e), fac = f.rowFac()[k][ri] * f.colFac()[k][ci];
                double row = r[k].get(ro + ri), col = cc[k].get(co + ci);
                xe[3 + k] = mk;
                xe[7 + k] = mk * rs;
                xe[11 + k] = gi * fac;
                xe[15 + k] = row;
                xe[18 + k] = col;
                xe[21 + k] = 1 / Math.sqrt(row + 1e-8);
                xe[24 + k] = 1 / Math.sqrt(col + 1e-8);
                xe[27 + k] = mk * fac;
            }
        }
        for (int lead = 0; lead < leads; lead++) normalize(x, lead * block, block);
        double[] step = new double[n];
        double[] h0 = new double[c.hidden()], h1 = new double[c.hidden()];
        int hid = c.hidden(), b0 = at + Celo2.FEATURES * hid, w1 = b0 + hid, b1 = w1 + hid * hid, w2 = b1 + hid, b2 = w2 + Celo2.OUTPUTS * hid;
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < hid; j++) {
                double z = theta[b0 + j];
                for (int q = 0; q < Celo2.FEATURES; q++) z += x[e][q] * theta[at + q * hid + j];
                h0[j] = Math.max(0, z);
            }
            for (int j = 0; j < hid; j++) {
                double z = theta[b1 + j];
                for (int i = 0; i < hid; i++) z += h0[i] * theta[w1 + i * hid + j];
                h1[j] = Math.max(0, z);
            }
            double dir = theta[b2], mag = theta[b2 + 1];
            for (int i = 0; i < hid; i++) {
                dir += h1[i] * theta[w2 + i * Celo2.OUTPUTS];
                mag += h1[i] * theta[w2 + i * Celo2.OUTPUTS + 1];
            }
            step[e] = dir * Math.exp(mag * c.expMult());
        }
        for (int lead = 0; lead < leads; lead++) {
            if (c.orthogonalize()) NewtonSchulz.orthogonalize(step, lead * block, rows, cols);
            double ms = 0;
            for (int e = 0; e < block; e++) ms += step[lead * block + e] * step[lead * block + e] / block;
            double inv = 1 / Math.sqrt(1e-9 + ms);
            for (int e = 0; e < block; e++) step[lead * block + e] *= inv;
        }
        for (int e = 0; e < n; e++) {
            double pi = p.get(off + e);
            p.set(off + e, pi - c.lr() * (step[e] + c.weightDecay() * pi));
        }
    }

    /** Each feature column of elements [from, from + count) divided by its root mean square (+1e-9 inside the root). */
    static void normalize(double[][] x, int from, int count) {
        double[] ms = new double[Celo2.FEATURES];
        for (int e = from; e < from + count; e++) for (int q = 0; q < ms.length; q++) ms[q] += x[e][q] * x[e][q] / count;
        for (int q = 0; q < ms.length; q++) ms[q] = 1 / Math.sqrt(1e-9 + ms[q]);
        for (int e = from; e < from + count; e++) for (int q = 0; q < ms.length; q++) x[e][q] *= ms[q];
    }
}
