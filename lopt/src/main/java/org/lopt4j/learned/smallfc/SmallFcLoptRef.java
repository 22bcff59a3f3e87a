package org.lopt4j.learned.smallfc;

import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.PlainMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * small_fc_lopt's twin: its three passes (small_fc_lopt.md §5–§7) as plain loops in double, each value rounded once to
 * the slab's dtype on store — accumulate (momenta, RMS, the row/column means of g² + 1e-30 and the factored or
 * diagonal accumulators, then row/column factors), feature_sums (the 28 features' sums of squares per tensor, chunk by
 * chunk in table order) and apply (normalized features and time features through the member's MLP, then the update
 * and the decay); with a gradient norm limit, each tensor's gradient is clipped first ({@link GradNormClip#ref}).
 * The definition {@link SmallFcLoptSimd} and small_fc_lopt.cu / .cl are tested against; it calls none of them.
 */
public final class SmallFcLoptRef {
    /** Elements per chunk of the feature passes. */
    static final int CHUNK = 4096;

    private SmallFcLoptRef() {}

    static CpuStorage st(org.lopt4j.tensor.Tensor t) { return (CpuStorage) t.storage(); }

    static double safeRsqrt(double x) { return 1 / Math.sqrt(Math.max(x, 1e-9)); }

    /** A tensor's factoring and, when factored, its per-step row and column factors (per decay). */
    public record Factors(FactoredDims f, double[][] rowFac, double[][] colFac) {}

    /** The CPU storages of an argument record and each tensor's accumulator offsets, gathered once per pass. */
    record Views(SlabLayout l, CpuStorage p, CpuStorage g, CpuStorage v, CpuStorage[] m, CpuStorage[] r, CpuStorage[] c, int[] ro, int[] co) {
        static Views of(FactoredArgs a) {
            SlabLayout l = a.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
            int[] ro = new int[l.count()], co = new int[l.count()];
            for (int t = 0; t < l.count(); t++) { ro[t] = rl.offset(t); co[t] = cl.offset(t); }
            return new Views(l, st(a.params()), st(a.grads()), st(a.v()), new CpuStorage[] {st(a.m0()), st(a.m1()), st(a.m2())},
                    new CpuStorage[] {st(a.r0()), st(a.r1()), st(a.r2())}, new CpuStorage[] {st(a.c0()), st(a.c1()), st(a.c2())}, ro, co);
        }
    }

    /** One step of small_fc_lopt for every tensor of every member of {@code a}. */
    public static void step(SmallFcLoptArgs a) {
        if (a.maxGradNorm() > 0) GradNormClip.ref(a.state(), a.maxGradNorm());
        Factors[] fac = accumulate(a.state());
        if (fac == null) return;
        int[] widths = widths(a);
        double[][] scale = featureScales(a.state(), fac);
        apply(a, widths, fac, scale);
    }

    private static int[] widths(SmallFcLoptArgs a) {
        int[] w = new int[a.layers() + 2];
        w[0] = SmallFcLopt.INPUTS;
        for (int l = 1; l <= a.layers(); l++) w[l] = a.hidden();
        w[w.length - 1] = 2;
        return w;
    }

    /**
     * The accumulate pass for every tensor with the decays of {@code a}, which advances the update counts; returns the
     * factors the feature passes read, or null when the step is skipped (then only the skip count advances).
     */
    public static Factors[] accumulate(FactoredArgs a) {
        if (UpdateCounts.skipped(a.gradStats(), a.skipNonFinite(), a.skips())) return null;
        UpdateCounts.advance(a.count(), a.layout().count(), a.countStride());
        Views vw = Views.of(a);
        SlabLayout l = vw.l();
        CpuStorage g = vw.g(), v = vw.v();
        CpuStorage[] m = vw.m(), r = vw.r(), c = vw.c();
        float[] dec = a.decays().toFloatArray();
        int perMember = l.count() / a.members();
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int d = t / perMember * FactoredArgs.DECAYS;
                int off = l.offset(t), n = l.numel(t), ro = vw.ro()[t];
                FactoredDims f = FactoredDims.of(l.shape(t));
                double[] rowG = f == null ? null : new double[f.rowShape().numel()], colG = f == null ? null : new double[f.colShape().numel()];
                for (int e = 0; e < n; e++) {
                    double gi = g.get(off + e);
                    for (int k = 0; k < 3; k++) m[k].set(off + e, dec[d + k] * m[k].get(off + e) + (1 - dec[d + k]) * gi);
                    v.set(off + e, dec[d + 3] * v.get(off + e) + (1 - dec[d + 3]) * gi * gi);
                    double big = gi * gi + 1e-30;
                    if (f == null) {
                        for (int k = 0; k < 3; k++) r[k].set(ro + e, dec[d + 4 + k] * r[k].get(ro + e) + (1 - dec[d + 4 + k]) * big);
                    } else {
                        rowG[f.row(e)] += big;
                        colG[f.col(e)] += big;
                    }
                }
                if (f == null) continue;
                int co = vw.co()[t];
                for (int k = 0; k < 3; k++) {
                    double b = dec[d + 4 + k];
                    for (int i = 0; i < rowG.length; i++) r[k].set(ro + i, b * r[k].get(ro + i) + (1 - b) * rowG[i] / l.shape(t).dim(f.d0()));
                    for (int i = 0; i < colG.length; i++) c[k].set(co + i, b * c[k].get(co + i) + (1 - b) * colG[i] / l.shape(t).dim(f.d1()));
                }
            }
        });
        return factors(a);
    }

    /** Every tensor's factors from its stored row and column accumulators. */
    public static Factors[] factors(FactoredArgs a) {
        Views vw = Views.of(a);
        SlabLayout l = vw.l();
        CpuStorage[] r = vw.r(), c = vw.c();
        Factors[] out = new Factors[l.count()];
        for (int t = 0; t < l.count(); t++) {
            FactoredDims f = FactoredDims.of(l.shape(t));
            if (f == null) { out[t] = new Factors(null, null, null); continue; }
            int ro = vw.ro()[t], co = vw.co()[t], rows = f.rowShape().numel(), cols = f.colShape().numel();
            double[][] rowFac = new double[3][rows], colFac = new double[3][cols];
            int across = f.rowShape().dim(f.d1InRow());
            for (int k = 0; k < 3; k++) {
                double[] rcm = new double[f.rowMeanSize()];
                for (int i = 0; i < rows; i++) rcm[f.rowMean(i)] += r[k].get(ro + i) / across;
                for (int i = 0; i < rows; i++) rowFac[k][i] = safeRsqrt(r[k].get(ro + i) / (rcm[f.rowMean(i)] + 1e-9));
                for (int i = 0; i < cols; i++) colFac[k][i] = safeRsqrt(c[k].get(co + i));
            }
            out[t] = new Factors(f, rowFac, colFac);
        }
        return out;
    }

    /** feature_sums: each tensor's 28 scales 1/sqrt(1e-5 + mean square), from per-chunk partial sums added in table order. */
    static double[][] featureScales(FactoredArgs a, Factors[] fac) {
        SlabLayout l = a.layout();
        ChunkTable ct = l.chunks(CHUNK);
        double[][] partial = new double[ct.size()][SmallFcLopt.NORMALIZED];
        Views vw = Views.of(a);
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            double[] x = new double[SmallFcLopt.NORMALIZED];
            for (int ch = from; ch < to; ch++) {
                int t = ct.tensorOf(ch), s0 = ct.startOf(ch), s1 = Math.min(s0 + CHUNK, l.numel(t));
                for (int e = s0; e < s1; e++) {
                    features(x, e, t, fac[t], vw);
                    for (int f = 0; f < x.length; f++) partial[ch][f] += x[f] * x[f];
                }
            }
        });
        double[][] scale = new double[l.count()][SmallFcLopt.NORMALIZED];
        for (int ch = 0; ch < ct.size(); ch++) for (int f = 0; f < SmallFcLopt.NORMALIZED; f++) scale[ct.tensorOf(ch)][f] += partial[ch][f];
        for (int t = 0; t < l.count(); t++) {
            int n = Math.max(1, l.numel(t));
            for (int f = 0; f < SmallFcLopt.NORMALIZED; f++) scale[t][f] = 1 / Math.sqrt(1e-5 + scale[t][f] / n);
        }
        return scale;
    }

    /** apply: every element's normalized features and its member's time features through the member's MLP. */
    private static void apply(SmallFcLoptArgs a, int[] widths, Factors[] fac, double[][] scale) {
        FactoredArgs s = a.state();
        SlabLayout l = s.layout();
        Views vw = Views.of(s);
        CpuStorage p = vw.p();
        ChunkTable ct = l.chunks(CHUNK);
        float[] packed = a.theta().toFloatArray(), tensorScale = a.tensorScales().toFloatArray();
        int members = s.members(), perMember = l.count() / members, nt = SmallFcLopt.INPUTS - SmallFcLopt.NORMALIZED;
        int[] counts = UpdateCounts.read(s.count(), l.count(), s.countStride());
        float[][] time = new float[l.count()][];
        for (int t = 0; t < l.count(); t++) time[t] = TimeFeatures.of(counts[t] - 1);
        float[][][] w = new float[members][][], b = new float[members][][];
        for (int m = 0; m < members; m++) {
            w[m] = PackedMlp.weights(packed, a.thetaStride(), widths, m);
            b[m] = PackedMlp.biases(packed, a.thetaStride(), widths, m);
        }
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            double[] x = new double[SmallFcLopt.NORMALIZED], in = new double[SmallFcLopt.INPUTS];
            for (int ch = from; ch < to; ch++) {
                int t = ct.tensorOf(ch), off = l.offset(t), s0 = ct.startOf(ch), s1 = Math.min(s0 + CHUNK, l.numel(t)), m = t / perMember;
                for (int e = s0; e < s1; e++) {
                    features(x, e, t, fac[t], vw);
                    for (int f = 0; f < x.length; f++) in[f] = x[f] * scale[t][f];
                    for (int k = 0; k < nt; k++) in[SmallFcLopt.NORMALIZED + k] = time[t][k];
                    double[] o = PlainMlp.eval(w[m], b[m], widths, in);
                    double q = p.get(off + e) - a.stepScale() * tensorScale[t] * o[0] * Math.exp(a.expMult() * o[1]);
                    p.set(off + e, a.paramDecay() == 0 ? q : q - a.paramDecay() * q);
                }
            }
        });
    }

    /** The 28 features of element e of tensor t (small_fc_lopt.md §6), from the updated accumulators and p before the update. */
    private static void features(double[] x, int e, int t, Factors a, Views s) {
        int off = s.l().offset(t), ro = s.ro()[t], co = s.co()[t];
        double gi = s.g().get(off + e), vi = s.v().get(off + e), rs = 1 / Math.sqrt(vi + 1e-6);
        CpuStorage[] m = s.m(), r = s.r(), c = s.c();
        x[0] = gi;
        x[1] = s.p().get(off + e);
        x[5] = vi;
        x[9] = rs;
        int ri = a.f() == null ? e : a.f().row(e), ci = a.f() == null ? 0 : a.f().col(e);
        for (int k = 0; k < 3; k++) {
            double mk = m[k].get(off + e);
            x[2 + k] = mk;
            x[6 + k] = mk * rs;
            double rowFeat, colFeat, fac;
            if (a.f() == null) {
                double vd = r[k].get(ro + e);
                rowFeat = vd;
                colFeat = vd;
                x[10 + k] = gi * safeRsqrt(vd + 1e-9);
                fac = 1 / Math.sqrt(vd + 1e-6);
            } else {
                rowFeat = r[k].get(ro + ri);
                colFeat = c[k].get(co + ci);
                fac = a.rowFac()[k][ri] * a.colFac()[k][ci];
                x[10 + k] = gi * fac;
            }
            x[13 + k] = rowFeat;
            x[16 + k] = colFeat;
            x[19 + k] = 1 / Math.sqrt(rowFeat + 1e-8);
            x[22 + k] = 1 / Math.sqrt(colFeat + 1e-8);
            x[25 + k] = mk * fac;
        }
    }
}
