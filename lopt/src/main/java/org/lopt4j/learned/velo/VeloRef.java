package org.lopt4j.learned.velo;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.learned.Workspace;
import org.lopt4j.learned.smallfc.Accumulators;
import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.learned.smallfc.SmallFcLoptRef;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * VeLO's twin: one update in the exact order of velo.md §3 as plain loops in double — loss buffer, gradient clip,
 * LSTM features from the old accumulators, the tensor network over all tensors (with its cross-tensor max-pool),
 * accumulator updates, bank mixing, normalized MLP features and the parameter update ({@link #step}, member by
 * member for a population: {@link #applyPopulation}); F64 slabs run it. Its pieces in pass form are
 * {@link VeloRefPasses}. Calls none of the fast code.
 */
public final class VeloRef {
    static final float[] FRACTIONS = {0.03f, 0.1f, 0.2f, 0.4f, 0.6f, 0.8f, 0.9f, 1.0f, 1.1f};
    /** VeLO's fixed decays in {@link FactoredArgs#decays()}'s row form: momentum ×3, rms, adafactor ×3, then 1 − each. */
    static final float[] FIXED_DECAYS = decayRow(new float[] {0.9f, 0.99f, 0.999f, 0.999f, 0.9f, 0.99f, 0.999f});

    private VeloRef() {}

    private static float[] decayRow(float[] d) {
        float[] row = new float[FactoredArgs.DECAYS];
        for (int k = 0; k < d.length; k++) {
            row[k] = d[k];
            row[d.length + k] = (float) (1 - (double) d[k]);
        }
        return row;
    }

    private static CpuStorage st(Slab s) { return (CpuStorage) s.flat().storage(); }

    private static double clog(double u) { return 0.5 * Math.max(-5, Math.min(5, Math.log(1e-8 + Math.abs(10 * u)))); }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /**
     * One step of one member with θ {@code theta} at update count {@code step}: parameters, accumulators, LSTM state
     * and loss buffer in place.
     */
    public static void step(Velo vl, Slab theta, Slab params, Slab grads, Accumulators acc, Slab lstmH, Slab lstmC, Slab lossBuffer,
                            int step, StepInfo info) {
        step(vl, UpdateOptions.NONE, theta, params, grads, acc, lstmH, lstmC, lossBuffer, step, info);
    }

    /** {@link #step} with PyLO's lr and weight decay ({@code q = p − lr·step}, {@code p ← q − lr·wd·q}). */
    public static void step(Velo vl, UpdateOptions opts, Slab theta, Slab params, Slab grads, Accumulators acc, Slab lstmH, Slab lstmC,
                            Slab lossBuffer, int step, StepInfo info) {
        SlabLayout l = params.layout();
        int tensors = l.count(), hid = vl.lstmHidden(), bank = vl.paramInits();
        // 1. loss buffer (a fresh member, counter 0, also gets its LSTM state from θ)
        LossStep ls = lossFeatures(lossBuffer, 0, params.layout().count(), info.loss(), info.numSteps());
        if (ls.fresh()) {
            for (int t = 0; t < params.layout().count(); t++) {
                lstmH.tensor(t).assign(theta.tensor("lstm_init_state/hidden").reshape(vl.lstmHidden()).to(params.backend()));
                lstmC.tensor(t).assign(theta.tensor("lstm_init_state/cell").reshape(vl.lstmHidden()).to(params.backend()));
            }
        }
        float[] lf = ls.features();
        // 2. clipped gradients
        Slab gc = grads.copy();
        gc.flat().assign(gc.flat().maximum(gc.flat().scalar(-1000)).minimum(gc.flat().scalar(1000)));
        // 3. LSTM features from p and the OLD accumulators
        CpuStorage p = st(params), v = st(acc.v());
        CpuStorage[] m = new CpuStorage[3];
        for (int k = 0; k < 3; k++) m[k] = st(acc.m(k));
        float frac = (float) step / (float) info.numSteps();
        double[][] x = new double[tensors][Velo.FEATURES];
        for (int t = 0; t < tensors; t++) lstmFeatures(x[t], l.shape(t), l.offset(t), l.numel(t), p, v, m, frac, lf);
        // 4. tensor network over all tensors
        float[] th = theta.flat().toFloatArray();
        SlabLayout tl = theta.layout();
        Slab hs = lstmH, cs = lstmC;
        double[][] ctrl = new double[tensors][bank];
        double[] lrm = new double[tensors];
        tensorNet(vl, th, tl, x, hs, cs, ctrl, lrm);
        // 5. accumulators with the clipped gradient (small_fc_lopt's formulas, VeLO's fixed decays)
        FactoredArgs fa = FactoredTables.of(l, params.backend(), 1).args(params, gc, acc, Tensor.of(params.backend(), FIXED_DECAYS, FIXED_DECAYS.length),
                null, UpdateCounts.zeros(params), new Workspace(params.backend(), params.dtype(), false, new int[0]), 0);
        SmallFcLoptRef.Factors[] aux = SmallFcLoptRef.accumulate(fa);
        // 6. per tensor: mix the bank, features, MLP, update
        CpuStorage g = st(gc);
        CpuStorage[] r = new CpuStorage[3], c = new CpuStorage[3];
        for (int k = 0; k < 3; k++) { r[k] = st(acc.r(k)); c[k] = st(acc.c(k)); }
        SlabLayout rl = acc.r0().layout(), cl = acc.c0().layout();
        for (int t = 0; t < tensors; t++) {
            double[][] w = mix(th, tl, ctrl[t], bank);
            int off = l.offset(t), n = l.numel(t), nn = Math.max(1, n);
            double[] f = new double[Velo.FEATURES], sumsq = new double[Velo.FEATURES];
            double pp = 0;
            for (int e = 0; e < n; e++) {
                mlpFeatures(f, e, off, rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
                for (int q = 0; q < f.length; q++) sumsq[q] += f[q] * f[q];
                pp += p.get(off + e) * p.get(off + e);
            }
            double scale = Math.sqrt(pp / nn + 1e-9);
            for (int e = 0; e < n; e++) {
                mlpFeatures(f, e, off, rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
                for (int q = 0; q < f.length; q++) f[q] *= 1 / Math.sqrt(1e-5 + sumsq[q] / nn);
                double[] o = mlp(w, f);
                double q = p.get(off + e) - opts.lr() * lrm[t] * o[0] * scale * Math.exp(0.001 * o[1]) * 0.001;
                p.set(off + e, opts.paramDecay() == 0 ? q : q - opts.paramDecay() * q);
            }
        }
    }

    /** A member's 9 loss features, and whether its buffer was fresh (counter 0: new, or zeroed by a reset). */
    record LossStep(float[] features, boolean fresh) {}

    /**
     * Step 1: updates the loss buffer of the member whose tensors are [first, first + count) with {@code loss} (a
     * fresh buffer, counter 0, is initialized first) and returns its 9 loss features; every tensor of the member gets
     * the updated buffer.
     */
    static LossStep lossFeatures(Slab buf, int first, int count, double loss, int numSteps) {
        // one read and one write over the member's span of the slab (gaps between tensors kept)
        SlabLayout l = buf.layout();
        int from = l.offset(first), to = l.offset(first + count - 1) + Velo.LOSS_STATE;
        Tensor span = buf.flat().slice(0, from, to, 1);
        double[] values = span.toDoubleArray();
        float[] it = {(float) values[0]}, means = new float[VeloLossBuffer.SIZE], runMin = new float[VeloLossBuffer.SIZE];
        boolean fresh = it[0] == 0;
        for (int i = 0; i < VeloLossBuffer.SIZE; i++) {
            means[i] = (float) values[1 + i];
            runMin[i] = (float) values[1 + VeloLossBuffer.SIZE + i];
        }
        if (it[0] == 0) VeloLossBuffer.init(means, runMin, it);
        float[] decay = VeloLossBuffer.decays(numSteps);
        VeloLossBuffer.update(means, runMin, it, decay, (float) loss);
        float[] lf = VeloLossBuffer.features(means, runMin, it, decay);
        for (int t = first; t < first + count; t++) {                   // every tensor of the member gets the buffer
            int at = l.offset(t) - from;
            values[at] = it[0];
            for (int i = 0; i < VeloLossBuffer.SIZE; i++) {
                values[at + 1 + i] = means[i];
                values[at + 1 + VeloLossBuffer.SIZE + i] = runMin[i];
            }
        }
        // converted on the host: a device backend need not hold F64 (CUDA does not)
        span.assign(Tensor.of(ScalarBackend.INSTANCE, values, values.length).to(buf.dtype()).to(buf.backend()));
        return new LossStep(lf, fresh);
    }

    /**
     * The twin for a population: member after member, VeLO's step on copies of the member's tensors, state and loss
     * buffer with its own θ, loss and step count, written back. One member runs in place.
     */
    public static void applyPopulation(Velo vl, UpdateOptions o, Slab theta, int members, Slab params, Slab grads, Velo.State s, StepInfo info) {
        if (members == 1) {
            int step = info.stepOf(0, s.step());
            step(vl, o, vl.memberTheta(theta, 0), params, grads, s.acc(), s.lstmH(), s.lstmC(), s.lossBuffer(), step,
                    new StepInfo(step, info.lossOf(0), info.numSteps()));
            return;
        }
        int per = params.layout().count() / members;
        java.util.Map<String, Slab> all = s.buffers();
        for (int m = 0; m < members; m++) {
            java.util.Map<String, Slab> part = new java.util.LinkedHashMap<>();
            for (var e : all.entrySet()) part.put(e.getKey(), copy(e.getValue(), m * per, (m + 1) * per));
            Slab pm = copy(params, m * per, (m + 1) * per), gm = copy(grads, m * per, (m + 1) * per);
            int step = info.stepOf(m, s.step());
            Accumulators acc = new Accumulators(part.get("m0"), part.get("m1"), part.get("m2"), part.get("v"), part.get("r0"), part.get("r1"),
                    part.get("r2"), part.get("c0"), part.get("c1"), part.get("c2"));
            step(vl, o, vl.memberTheta(theta, m), pm, gm, acc, part.get("lstm_h"), part.get("lstm_c"), part.get("loss_buffer"), step,
                    new StepInfo(step, info.lossOf(m), info.numSteps()));
            writeBack(params, pm, m * per);
            for (var e : all.entrySet()) writeBack(e.getValue(), part.get(e.getKey()), m * per);
        }
    }

    /** A copy of tensors [from, to) of {@code s} as a slab of its own. */
    private static Slab copy(Slab s, int from, int to) {
        SlabLayout l = s.layout();
        SlabLayout sub = SlabLayout.of(l.names().subList(from, to), l.shapes().subList(from, to));
        Slab out = Slab.zeros(s.backend(), s.dtype(), sub);
        out.flat().assign(s.flat().slice(0, l.offset(from), l.offset(from) + sub.size(), 1));
        return out;
    }

    private static void writeBack(Slab whole, Slab part, int from) {
        int off = whole.layout().offset(from);
        whole.flat().slice(0, off, off + part.layout().size(), 1).assign(part.flat());
    }

    /**
     * velo.md §5 from per-tensor sums {@code s = [Σp², Σv, Σv², Σm0, Σm0², Σm1, Σm1², Σm2, Σm2²]} over n elements (the
     * device path's one-pass form of {@link #lstmFeatures}: variances as E[x²] − E[x]², clamped at 0).
     */
    public static void lstmFeaturesFromSums(double[] x, Shape shape, int n, double[] s, float frac, float[] lf) {
        double nn = Math.max(1, n), sc = 1 / Math.sqrt(Math.max(1e-9, s[0] / nn));
        for (int i = 0; i < 9; i++) x[i] = Math.tanh(10 * (frac - FRACTIONS[i]));
        for (int i = 0; i < 9; i++) x[9 + i] = lf[i];
        x[18] = clog(sc * s[1] / nn);
        int big = 0;
        for (int d : shape.dims()) if (d > 1) big++;
        if (big < 5) x[19 + big] = 1;
        double ev = sc * s[1] / nn, ev2 = sc * sc * s[2] / nn;
        for (int k = 0; k < 3; k++) {
            double mean = sc * s[3 + 2 * k] / nn, em2 = sc * sc * s[4 + 2 * k] / nn;
            x[24 + k] = clog(Math.max(0, em2 - mean * mean));
            x[27 + k] = clog(Math.max(0, ev2 - 2 * mean * ev + mean * mean));
        }
    }

    /** velo.md §5, alphabetical: fraction_left(9), loss_features(9), mean_rms, rank(5), var_m(3), var_rms(3). */
    public static void lstmFeatures(double[] x, Shape shape, int off, int n, CpuStorage p, CpuStorage v, CpuStorage[] m, float frac, float[] lf) {
        int nn = Math.max(1, n);
        double pp = 0;
        for (int e = 0; e < n; e++) pp += p.get(off + e) * p.get(off + e);
        double sc = 1 / Math.sqrt(Math.max(1e-9, pp / nn));
        for (int i = 0; i < 9; i++) x[i] = Math.tanh(10 * (frac - FRACTIONS[i]));
        for (int i = 0; i < 9; i++) x[9 + i] = lf[i];
        double meanV = 0;
        for (int e = 0; e < n; e++) meanV += sc * v.get(off + e) / nn;
        x[18] = clog(meanV);
        int big = 0;
        for (int d : shape.dims()) if (d > 1) big++;
        if (big < 5) x[19 + big] = 1;
        for (int k = 0; k < 3; k++) {
            double meanM = 0;
            for (int e = 0; e < n; e++) meanM += sc * m[k].get(off + e) / nn;
            double varM = 0, varR = 0;
            for (int e = 0; e < n; e++) {
                double dm = sc * m[k].get(off + e) - meanM, dr = sc * v.get(off + e) - meanM;
                varM += dm * dm / nn;
                varR += dr * dr / nn;
            }
            x[24 + k] = clog(varM);
            x[27 + k] = clog(varR);
        }
    }

    private static double[] row(float[] th, SlabLayout tl, String name) {
        int i = tl.index(name);
        double[] d = new double[tl.numel(i)];
        for (int k = 0; k < d.length; k++) d[k] = th[tl.offset(i) + k];
        return d;
    }

    /** velo.md §6: linear_1 max-pooled, linear_2, the LSTM over concat(y, h), controls and step sizes. */
    static void tensorNet(Velo vl, float[] th, SlabLayout tl, double[][] x, Slab hs, Slab cs, double[][] ctrl, double[] lrm) {
        int tn = x.length, h = vl.lstmHidden(), bank = vl.paramInits();
        double[] a1 = row(th, tl, "rnn_params/linear_1/w"), b1 = row(th, tl, "rnn_params/linear_1/b");
        double[] a2 = row(th, tl, "rnn_params/linear_2/w"), b2 = row(th, tl, "rnn_params/linear_2/b");
        double[] wl = row(th, tl, "rnn_params/rnn/linear/w"), bl = row(th, tl, "rnn_params/rnn/linear/b");
        double[] wc = row(th, tl, "rnn_params/rnn_to_controls/w"), bc = row(th, tl, "rnn_params/rnn_to_controls/b");
        double[] ws = row(th, tl, "rnn_params/step_size/w"), bs = row(th, tl, "rnn_params/step_size/b");
        double[] u = new double[h];
        java.util.Arrays.fill(u, Double.NEGATIVE_INFINITY);
        for (double[] xt : x) {
            for (int j = 0; j < h; j++) {
                double z = b1[j];
                for (int i = 0; i < Velo.FEATURES; i++) z += xt[i] * a1[i * h + j];
                u[j] = Math.max(u[j], Math.max(z, 0));
            }
        }
        CpuStorage hst = st(hs), cst = st(cs);
        for (int t = 0; t < tn; t++) {
            double[] in = new double[2 * h];
            for (int j = 0; j < h; j++) {
                double z = b2[j] + u[j];
                for (int i = 0; i < Velo.FEATURES; i++) z += x[t][i] * a2[i * h + j];
                in[j] = z;
                in[h + j] = hst.get(hs.layout().offset(t) + j);
            }
            double[] z = new double[4 * h];
            for (int j = 0; j < 4 * h; j++) z[j] = bl[j];
            for (int i = 0; i < 2 * h; i++) {
                double xi = in[i];
                if (xi == 0) continue;
                for (int j = 0; j < 4 * h; j++) z[j] += xi * wl[i * 4 * h + j];
            }
            double[] hn = new double[h];
            for (int j = 0; j < h; j++) {
                int ho = hs.layout().offset(t) + j;
                double cn = sigmoid(z[2 * h + j] + 1) * cst.get(ho) + sigmoid(z[j]) * Math.tanh(z[h + j]);
                cst.set(ho, cn);
                hn[j] = sigmoid(z[3 * h + j]) * Math.tanh(cn);
                hst.set(ho, hn[j]);
            }
            for (int k = 0; k < bank; k++) {
                double acc = bc[k];
                for (int j = 0; j < h; j++) acc += hn[j] * wc[j * bank + k];
                ctrl[t][k] = acc;
            }
            double sacc = bs[0];
            for (int j = 0; j < h; j++) sacc += hn[j] * ws[j];
            lrm[t] = sacc;
        }
    }

    /** velo.md §7: each MLP tensor = (100 / bank) · Σ_k ctrl[k] · bank[k]; returns w0 (30×4), b0, w1, b1, w2, b2. */
    static double[][] mix(float[] th, SlabLayout tl, double[] ctrl, int bank) {
        double[] w0 = new double[Velo.FEATURES * Velo.HIDDEN];
        int row = 0;
        for (int k = 0; k < Velo.GROUPS.length; k++) {
            double[] src = mixOne(th, tl, "ff_mod_stack/~/w0__" + k, ctrl, bank);
            System.arraycopy(src, 0, w0, row * Velo.HIDDEN, src.length);
            row += Velo.GROUPS[k];
        }
        return new double[][] {w0, mixOne(th, tl, "ff_mod_stack/~/b0", ctrl, bank), mixOne(th, tl, "ff_mod_stack/~/w1", ctrl, bank),
                mixOne(th, tl, "ff_mod_stack/~/b1", ctrl, bank), mixOne(th, tl, "ff_mod_stack/~/w2", ctrl, bank),
                mixOne(th, tl, "ff_mod_stack/~/b2", ctrl, bank)};
    }

    private static double[] mixOne(float[] th, SlabLayout tl, String name, double[] ctrl, int bank) {
        int i = tl.index(name), per = tl.numel(i) / bank, off = tl.offset(i);
        double[] out = new double[per];
        for (int k = 0; k < bank; k++) for (int e = 0; e < per; e++) out[e] += ctrl[k] * th[off + k * per + e];
        for (int e = 0; e < per; e++) out[e] *= 100.0 / bank;
        return out;
    }

    /** 30 → 4 → 4 → 3 with ReLU after the hidden layers. */
    static double[] mlp(double[][] w, double[] x) {
        double[] h1 = layer(x, w[0], w[1], Velo.HIDDEN, true), h2 = layer(h1, w[2], w[3], Velo.HIDDEN, true);
        return layer(h2, w[4], w[5], Velo.OUTPUTS, false);
    }

    private static double[] layer(double[] x, double[] w, double[] b, int out, boolean relu) {
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            double acc = b[j];
            for (int i = 0; i < x.length; i++) acc += x[i] * w[i * out + j];
            y[j] = relu ? Math.max(acc, 0) : acc;
        }
        return y;
    }

    /** velo.md §8: the 30 MLP columns in group order, from the clipped gradient and the updated accumulators. */
    static void mlpFeatures(double[] x, int e, int off, int ro, int co, SmallFcLoptRef.Factors a, CpuStorage p, CpuStorage g,
                            CpuStorage v, CpuStorage[] m, CpuStorage[] r, CpuStorage[] c) {
        double gi = g.get(off + e), vi = v.get(off + e), rs = 1 / Math.sqrt(vi + 1e-6);
        x[0] = gi;
        x[1] = Math.max(-0.1, Math.min(0.1, gi));
        x[2] = p.get(off + e);
        x[6] = vi;
        x[10] = rs;
        x[14] = gi * rs;
        int ri = a.f() == null ? e : a.f().row(e), ci = a.f() == null ? 0 : a.f().col(e);
        for (int k = 0; k < 3; k++) {
            double mk = m[k].get(off + e), rowFeat, colFeat, fac, mfac;
            if (a.f() == null) {
                double vd = r[k].get(ro + e);
                rowFeat = vd;
                colFeat = vd;
                fac = 1 / Math.sqrt(Math.max(vd + 1e-9, 1e-9));
                mfac = 1 / Math.sqrt(vd);                                  // no epsilon (upstream)
            } else {
                rowFeat = r[k].get(ro + ri);
                colFeat = c[k].get(co + ci);
                fac = a.rowFac()[k][ri] * a.colFac()[k][ci];
                mfac = fac;
            }
            x[3 + k] = mk;
            x[7 + k] = mk * rs;
            x[11 + k] = gi * fac;
            x[15 + k] = rowFeat;
            x[18 + k] = colFeat;
            x[21 + k] = 1 / Math.sqrt(rowFeat + 1e-8);
            x[24 + k] = 1 / Math.sqrt(colFeat + 1e-8);
            x[27 + k] = mk * mfac;
        }
    }
}
