package org.lopt4j.learned;

import java.util.List;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * small_fc_lopt's update over a whole slab in three passes, whatever the tensor count: (A) per tensor, in parallel
 * over tensors: momenta, RMS, the row/column means of g² + 1e-30 and the factored (or diagonal) accumulators, then
 * row/column factors; (B) over the chunk table: the 28 features and their sums of squares per tensor; (C) over the
 * chunk table: normalized features + time features through the MLP and the parameter update. Accumulators update in
 * double and round once to the slab's dtype. This is the plain-loop twin of B and C; F32 slabs run them in
 * {@link SmallFcLoptSimd}.
 */
final class SmallFcLoptKernel {
    static final int CHUNK = 4096;

    private SmallFcLoptKernel() {}

    private static CpuStorage st(Slab s) { return (CpuStorage) s.flat().storage(); }

    private static double safeRsqrt(double x) { return 1 / Math.sqrt(Math.max(x, 1e-9)); }

    /** Per-tensor values pass A leaves for B and C. */
    record TensorAux(FactoredDims f, double[][] rowFac, double[][] colFac) {}

    static void update(SmallFcLopt lo, List<SmallFcLopt.Theta> thetas, Slab params, Slab grads, NamedState s, int[] steps) {
        TensorAux[] aux = accumulators(thetas, params, grads, s);
        if (params.dtype() == DType.F32) SmallFcLoptSimd.featuresAndApply(lo, thetas, params, grads, s, steps, aux);
        else featuresAndApply(lo, thetas, params, grads, s, steps, aux);
    }

    /** Pass A for every tensor; returns the row/column factors passes B and C read. */
    static TensorAux[] accumulators(List<SmallFcLopt.Theta> thetas, Slab params, Slab grads, NamedState s) {
        return accumulators(thetas, params, grads, s, null);
    }

    /** Pass A; F32 slabs also add VeLO's statistics of the old values per tensor into {@code stats[t]} when given. */
    static TensorAux[] accumulators(List<SmallFcLopt.Theta> thetas, Slab params, Slab grads, NamedState s, double[][] stats) {
        SlabLayout l = params.layout(), rl = s.slab("r0").layout(), cl = s.slab("c0").layout();
        CpuStorage g = st(grads), v = st(s.slab("v"));
        CpuStorage[] m = new CpuStorage[3], r = new CpuStorage[3], c = new CpuStorage[3];
        for (int k = 0; k < 3; k++) { m[k] = st(s.slab("m" + k)); r[k] = st(s.slab("r" + k)); c[k] = st(s.slab("c" + k)); }
        int members = thetas.size(), perMember = l.count() / members;
        TensorAux[] aux = new TensorAux[l.count()];
        // pass A: per tensor
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                SmallFcLopt.Theta th = thetas.get(t / perMember);
                int off = l.offset(t), n = l.numel(t), ro = rl.offset(t), co = cl.offset(t);
                FactoredDims f = FactoredDims.of(l.shape(t));
                double[] rowG = f == null ? null : new double[f.rowShape().numel()], colG = f == null ? null : new double[f.colShape().numel()];
                if (params.dtype() == DType.F32) {
                    SmallFcLoptSimd.accumulate(th, l.shape(t), f, off, n, ro, rowG, colG, grads, s,
                            stats == null ? null : st(params).f32, stats == null ? null : stats[t]);
                } else for (int e = 0; e < n; e++) {
                    double gi = g.get(off + e);
                    for (int k = 0; k < 3; k++) m[k].set(off + e, th.mom()[k] * m[k].get(off + e) + (1 - th.mom()[k]) * gi);
                    v.set(off + e, th.rms()[0] * v.get(off + e) + (1 - th.rms()[0]) * gi * gi);
                    double big = gi * gi + 1e-30;
                    if (f == null) {
                        for (int k = 0; k < 3; k++) r[k].set(ro + e, th.ada()[k] * r[k].get(ro + e) + (1 - th.ada()[k]) * big);
                    } else {
                        rowG[f.row(e)] += big;
                        colG[f.col(e)] += big;
                    }
                }
                if (f == null) { aux[t] = new TensorAux(null, null, null); continue; }
                double[][] rowFac = new double[3][rowG.length], colFac = new double[3][colG.length];
                for (int k = 0; k < 3; k++) {
                    double b = th.ada()[k];
                    for (int i = 0; i < rowG.length; i++) r[k].set(ro + i, b * r[k].get(ro + i) + (1 - b) * rowG[i] / l.shape(t).dim(f.d0()));
                    for (int i = 0; i < colG.length; i++) c[k].set(co + i, b * c[k].get(co + i) + (1 - b) * colG[i] / l.shape(t).dim(f.d1()));
                    double[] rcm = new double[f.rowMeanSize()];
                    int across = f.rowShape().dim(f.d1InRow());
                    for (int i = 0; i < rowG.length; i++) rcm[f.rowMean(i)] += r[k].get(ro + i) / across;
                    for (int i = 0; i < rowG.length; i++) rowFac[k][i] = safeRsqrt(r[k].get(ro + i) / (rcm[f.rowMean(i)] + 1e-9));
                    for (int i = 0; i < colG.length; i++) colFac[k][i] = safeRsqrt(c[k].get(co + i));
                }
                aux[t] = new TensorAux(f, rowFac, colFac);
            }
        });
        return aux;
    }

    /** Passes B and C, the plain-loop twin (double). */
    static void featuresAndApply(SmallFcLopt lo, List<SmallFcLopt.Theta> thetas, Slab params, Slab grads, NamedState s, int[] steps, TensorAux[] aux) {
        SlabLayout l = params.layout(), rl = s.slab("r0").layout(), cl = s.slab("c0").layout();
        CpuStorage p = st(params), g = st(grads), v = st(s.slab("v"));
        CpuStorage[] m = new CpuStorage[3], r = new CpuStorage[3], c = new CpuStorage[3];
        for (int k = 0; k < 3; k++) { m[k] = st(s.slab("m" + k)); r[k] = st(s.slab("r" + k)); c[k] = st(s.slab("c" + k)); }
        int perMember = l.count() / thetas.size();
        // pass B: sums of squares of the 28 features per chunk, reduced per tensor
        ChunkTable ct = l.chunks(CHUNK);
        double[][] partial = new double[ct.size()][SmallFcLopt.NORMALIZED];
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            double[] x = new double[SmallFcLopt.NORMALIZED];
            for (int ch = from; ch < to; ch++) {
                int t = ct.tensorOf(ch), s0 = ct.startOf(ch), s1 = Math.min(s0 + CHUNK, l.numel(t));
                for (int e = s0; e < s1; e++) {
                    features(x, e, l.offset(t), rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
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
        // pass C: MLP and update
        float[][] times = Features.time(steps);
        int[] widths = lo.widths();
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            double[] x = new double[SmallFcLopt.NORMALIZED], in = new double[SmallFcLopt.INPUTS];
            for (int ch = from; ch < to; ch++) {
                int t = ct.tensorOf(ch), off = l.offset(t), s0 = ct.startOf(ch), s1 = Math.min(s0 + CHUNK, l.numel(t));
                SmallFcLopt.Theta th = thetas.get(t / perMember);
                float[] time = times[t / perMember];
                for (int e = s0; e < s1; e++) {
                    features(x, e, off, rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
                    for (int f = 0; f < x.length; f++) in[f] = x[f] * scale[t][f];
                    for (int k = 0; k < time.length; k++) in[SmallFcLopt.NORMALIZED + k] = time[k];
                    double[] o = LaneMlp.eval(th.w(), th.b(), widths, in);
                    apply(p, off + e, o[0], o[1], lo);
                }
            }
        });
    }

    private static void apply(CpuStorage p, int e, double dir, double mag, SmallFcLopt lo) {
        p.set(e, p.get(e) - lo.lr() * (dir * Math.exp(lo.expMult() * mag) * lo.stepMult()));
    }

    /** The 28 features of element e (small_fc_lopt.md §6), from the updated accumulators and p before the update. */
    private static void features(double[] x, int e, int off, int ro, int co, TensorAux a, CpuStorage p, CpuStorage g, CpuStorage v,
                                 CpuStorage[] m, CpuStorage[] r, CpuStorage[] c) {
        double gi = g.get(off + e), vi = v.get(off + e), rs = 1 / Math.sqrt(vi + 1e-6);
        x[0] = gi;
        x[1] = p.get(off + e);
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
