package org.lopt4j.learned.celo2;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.smallfc.SmallFcLoptRef;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * CELO2's step as plain loops in double over the slabs (celo2.md §1–§2), each value rounded once on store: the global
 * norm clip per member, the element clip, the accumulators (small_fc_lopt's accumulate pass at CELO2's fixed decays,
 * {@link SmallFcLoptRef#accumulate}), then per tensor the AdamW branch (rank ≤ 1) or the CELO2 branch: features,
 * normalization over the last two axes, the split MLP, Newton–Schulz, normalization, the update.
 */
final class Celo2Ref {
    private Celo2Ref() {}

    static CpuStorage st(Slab s) { return (CpuStorage) s.flat().storage(); }

    static void step(Celo2 c, float[] theta, double lr, Slab params, Slab grads, Celo2.State s) {
        SlabLayout l = params.layout(), tl = c.thetaLayout();
        int members = theta.length / tl.size(), per = l.count() / members;
        CpuStorage g = st(grads);
        for (int m = 0; m < members; m++) {
            double sum = 0;
            for (int t = m * per; t < (m + 1) * per; t++) for (int e = 0; e < l.numel(t); e++) sum += g.get(l.offset(t) + e) * g.get(l.offset(t) + e);
            double scale = c.clipNorm() > 0 ? c.clipNorm() / Math.max(Math.sqrt(sum), c.clipNorm()) : 1;
            for (int t = m * per; t < (m + 1) * per; t++) {
                for (int e = 0; e < l.numel(t); e++) {
                    double x = g.get(l.offset(t) + e) * scale;
                    g.set(l.offset(t) + e, Math.max(-c.gradClipVal(), Math.min(c.gradClipVal(), x)));
                }
            }
        }
        FactoredArgs a = s.tables().args(params, grads, s.acc(), s.workspace().theta(0), s.workspace().scratch(0), s.count(), s.workspace(), 0);
        SmallFcLoptRef.Factors[] fac = SmallFcLoptRef.accumulate(a);
        int[] counts = UpdateCounts.read(s.count().flat(), l.count(), UpdateCounts.stride(s.count()));
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                if (l.shape(t).rank() <= 1) adamw(c, lr, params, grads, s, t, counts[t]);
                else celo2(c, theta, (t / per) * tl.size(), tl, lr, params, s, a, fac[t], t);
            }
        });
    }

    /** The AdamW branch: CELO2's own moments, or ELO-CELO2's shared momentum[0] and RMS (decays as float32, as PyLO reads them). */
    private static void adamw(Celo2 c, double lr, Slab params, Slab grads, Celo2.State s, int t, int step) {
        SlabLayout l = params.layout();
        int off = l.offset(t), n = l.numel(t);
        CpuStorage p = st(params), g = st(grads), m, v;
        double b1, b2;
        if (c.variant() == Celo2.Variant.CELO2) {
            m = st(s.adamM());
            v = st(s.adamV());
            b1 = Celo2.BETA1;
            b2 = Celo2.BETA2;
            for (int e = 0; e < n; e++) {
                double gi = g.get(off + e);
                m.set(off + e, m.get(off + e) * b1 + gi * (1 - b1));
                v.set(off + e, v.get(off + e) * b2 + gi * gi * (1 - b2));
            }
        } else {
            m = st(s.acc().m0());
            v = st(s.acc().v());
            b1 = Celo2.MOM[0];
            b2 = Celo2.RMS;
        }
        double lrA = c.adamLrMult() * lr, bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        for (int e = 0; e < n; e++) {
            double pi = p.get(off + e), u = (m.get(off + e) / bc1) / (Math.sqrt(v.get(off + e) / bc2) + Celo2.ADAM_EPS);
            p.set(off + e, pi - lrA * (u + c.adamWeightDecay() * pi));
        }
    }

    /** The CELO2 branch of tensor t (rank ≥ 2, so factored) with member θ at {@code at}. */
    private static void celo2(Celo2 c, float[] theta, int at, SlabLayout tl, double lr, Slab params, Celo2.State s, FactoredArgs a,
                              SmallFcLoptRef.Factors f, int t) {
        SlabLayout l = params.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        int off = l.offset(t), n = l.numel(t), rank = l.shape(t).rank();
        int rows = l.shape(t).dim(rank - 2), cols = l.shape(t).dim(rank - 1), block = rows * cols, leads = n / block;
        CpuStorage p = st(params), g = (CpuStorage) a.grads().storage(), v = (CpuStorage) a.v().storage();
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
        int[] rowOf = new int[Celo2.FEATURES];                              // feature q's weight row in θ (groups may be padded apart)
        for (int i = 0, q = 0; i < Celo2.GROUPS.length; i++) for (int k = 0; k < Celo2.GROUPS[i]; k++, q++) rowOf[q] = at + tl.offset(tl.index("w0/" + i)) + k * c.hidden();
        int b0 = at + tl.offset(tl.index("b0")), w1 = at + tl.offset(tl.index("dense_w/0")), b1 = at + tl.offset(tl.index("dense_b/0"));
        int w2 = at + tl.offset(tl.index("dense_w/1")), b2 = at + tl.offset(tl.index("dense_b/1")), hid = c.hidden();
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < hid; j++) {
                double z = theta[b0 + j];
                for (int q = 0; q < Celo2.FEATURES; q++) z += x[e][q] * theta[rowOf[q] + j];
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
            p.set(off + e, pi - lr * (step[e] + c.weightDecay() * pi));
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
