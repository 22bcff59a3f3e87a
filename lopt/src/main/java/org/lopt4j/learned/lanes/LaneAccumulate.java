package org.lopt4j.learned.lanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.Species;
import org.lopt4j.tensor.cpu.VecMath;

/**
 * The accumulate pass of small_fc_lopt and VeLO for F32 slabs in vector lanes, tensor by tensor on both cores:
 * momenta, RMS, and either the diagonal accumulators or the row/column sums of g² + 1e-30 (added per run along the
 * last axis: one lane reduction when the index is constant along the run, lane by lane when it is contiguous); then,
 * in double, the factored accumulators' updates and the per-step row and column factors the feature passes read.
 * With statistics (VeLO), each run first adds the sums {@code [Σp², Σv, Σv², Σm_k, Σm_k²]} of the values it replaces.
 */
public final class LaneAccumulate {
    private static final VectorSpecies<Float> S = Species.F32;
    /** Elements per block of an unfactored tensor's run. */
    static final int UNIT = LaneRule.UNIT;

    private LaneAccumulate() {}

    static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    /**
     * The pass over every tensor of {@code a}, which advances the update counts; {@code stats} (tensors × 9, or null)
     * receives VeLO's statistics. Returns null when the step is skipped (then only the skip count advances).
     */
    public static Factors[] accumulate(FactoredArgs a, double[][] stats) {
        if (UpdateCounts.skipped(a.gradStats(), a.skipNonFinite(), a.skips())) return null;
        UpdateCounts.advance(a.count(), a.layout().count(), a.countStride());
        SlabLayout l = a.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        float[] p = f(a.params()), g = f(a.grads()), v = f(a.v()), dec = a.decays().toFloatArray();
        float[][] m = {f(a.m0()), f(a.m1()), f(a.m2())}, r = {f(a.r0()), f(a.r1()), f(a.r2())}, c = {f(a.c0()), f(a.c1()), f(a.c2())};
        int perMember = l.count() / a.members();
        Factors[] out = new Factors[l.count()];
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int d = t / perMember * FactoredArgs.DECAYS;
                int off = l.offset(t), n = l.numel(t), ro = rl.offset(t), co = cl.offset(t);
                FactoredDims fd = FactoredDims.of(l.shape(t));
                double[] rowG = fd == null ? null : new double[fd.rowShape().numel()], colG = fd == null ? null : new double[fd.colShape().numel()];
                tensor(dec, d, l.shape(t), fd, off, n, ro, rowG, colG, g, v, m, r, stats == null ? null : p, stats == null ? null : stats[t]);
                if (fd == null) { out[t] = new Factors(null, null, null); continue; }
                double[][] rowFac = new double[3][rowG.length], colFac = new double[3][colG.length];
                for (int k = 0; k < 3; k++) {
                    double b = dec[d + 4 + k];
                    for (int i = 0; i < rowG.length; i++) r[k][ro + i] = (float) (b * r[k][ro + i] + (1 - b) * rowG[i] / l.shape(t).dim(fd.d0()));
                    for (int i = 0; i < colG.length; i++) c[k][co + i] = (float) (b * c[k][co + i] + (1 - b) * colG[i] / l.shape(t).dim(fd.d1()));
                    factors(fd, r[k], ro, c[k], co, rowFac[k], colFac[k]);
                }
                out[t] = new Factors(fd, rowFac, colFac);
            }
        });
        return out;
    }

    /** Every tensor's factors from its stored accumulators (VeLO's apply, after its tensor network). */
    public static Factors[] factors(FactoredArgs a) {
        SlabLayout l = a.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        float[][] r = {f(a.r0()), f(a.r1()), f(a.r2())}, c = {f(a.c0()), f(a.c1()), f(a.c2())};
        Factors[] out = new Factors[l.count()];
        for (int t = 0; t < l.count(); t++) {
            FactoredDims fd = FactoredDims.of(l.shape(t));
            if (fd == null) { out[t] = new Factors(null, null, null); continue; }
            double[][] rowFac = new double[3][fd.rowShape().numel()], colFac = new double[3][fd.colShape().numel()];
            for (int k = 0; k < 3; k++) factors(fd, r[k], rl.offset(t), c[k], cl.offset(t), rowFac[k], colFac[k]);
            out[t] = new Factors(fd, rowFac, colFac);
        }
        return out;
    }

    /** One decay's row factors {@code rsqrt(r / (row mean + 1e-9))} and column factors {@code rsqrt(c)}, in double. */
    private static void factors(FactoredDims fd, float[] r, int ro, float[] c, int co, double[] rowFac, double[] colFac) {
        double[] rcm = new double[fd.rowMeanSize()];
        int across = fd.rowShape().dim(fd.d1InRow());
        for (int i = 0; i < rowFac.length; i++) rcm[fd.rowMean(i)] += (double) r[ro + i] / across;
        for (int i = 0; i < rowFac.length; i++) rowFac[i] = safeRsqrt(r[ro + i] / (rcm[fd.rowMean(i)] + 1e-9));
        for (int i = 0; i < colFac.length; i++) colFac[i] = safeRsqrt(c[co + i]);
    }

    private static double safeRsqrt(double x) { return 1 / Math.sqrt(Math.max(x, 1e-9)); }

    /** One tensor's element loop ({@code dec[d..]}: its member's decays); {@code stats} non-null adds VeLO's sums. */
    private static void tensor(float[] dec, int d, Shape shape, FactoredDims fd, int off, int n, int ro, double[] rowG, double[] colG,
                               float[] g, float[] v, float[][] m, float[][] r, float[] p, double[] stats) {
        int lanes = S.length(), last = shape.rank() - 1;
        int run = fd == null ? Math.min(Math.max(1, n), UNIT) : shape.dim(last);   // unfactored: any blocks will do
        boolean rowConst = fd != null && fd.d0() == last, colConst = fd != null && fd.d1() == last;
        float br = dec[d + 3];
        float[] tmp = new float[lanes], statTmp = stats == null ? null : new float[9 * lanes];
        double[] statLanes = stats == null ? null : new double[9 * lanes];
        for (int a = 0; a < n; a += run) {
            int end = Math.min(n, a + run), ri0 = fd == null ? 0 : fd.row(a), ci0 = fd == null ? 0 : fd.col(a);
            if (stats != null) addStats(stats, statLanes, statTmp, p, v, m[0], m[1], m[2], off + a, off + end);   // old values, cache-hot
            FloatVector runSum = FloatVector.zero(S);                   // g² + 1e-30 along the run, for a constant index
            for (int e = a; e < end; e += lanes) {
                int len = Math.min(lanes, end - e), at = off + e;
                if (len < lanes) {
                    for (int j = 0; j < len; j++) one(dec, d, fd, e + j, at + j, ro, g, v, m, r, rowG, colG);
                    continue;
                }
                FloatVector gv = FloatVector.fromArray(S, g, at);
                for (int k = 0; k < 3; k++) {
                    float b = dec[d + k];
                    FloatVector.fromArray(S, m[k], at).mul(b).add(gv.mul(1f - b)).intoArray(m[k], at);
                }
                FloatVector g2 = gv.mul(gv);
                FloatVector.fromArray(S, v, at).mul(br).add(g2.mul(1f - br)).intoArray(v, at);
                FloatVector big = g2.add(1e-30f);
                if (fd == null) {
                    for (int k = 0; k < 3; k++) {
                        float b = dec[d + 4 + k];
                        FloatVector.fromArray(S, r[k], ro + e).mul(b).add(big.mul(1f - b)).intoArray(r[k], ro + e);
                    }
                    continue;
                }
                int dd = e - a;
                if (rowConst || colConst) runSum = runSum.add(big);
                if (!rowConst || !colConst) {
                    big.intoArray(tmp, 0);
                    int ri = ri0 + dd, ci = ci0 + dd;
                    for (int j = 0; j < lanes; j++) {
                        if (!rowConst) rowG[ri + j] += tmp[j];
                        if (!colConst) colG[ci + j] += tmp[j];
                    }
                }
            }
            if (fd != null && (rowConst || colConst)) {
                runSum.intoArray(tmp, 0);
                double sum = VecMath.sumInPlace(tmp, 0, lanes);
                if (rowConst) rowG[fd.row(a)] += sum;
                if (colConst) colG[fd.col(a)] += sum;
            }
        }
        if (stats != null) finish(stats, statLanes);
    }

    /** One element of the pass (run tails). */
    private static void one(float[] dec, int d, FactoredDims fd, int e, int at, int ro, float[] g, float[] v, float[][] m,
                            float[][] r, double[] rowG, double[] colG) {
        float gi = g[at];
        for (int k = 0; k < 3; k++) m[k][at] = dec[d + k] * m[k][at] + (1f - dec[d + k]) * gi;
        v[at] = dec[d + 3] * v[at] + (1f - dec[d + 3]) * gi * gi;
        float big = gi * gi + 1e-30f;
        if (fd == null) {
            for (int k = 0; k < 3; k++) r[k][ro + e] = dec[d + 4 + k] * r[k][ro + e] + (1f - dec[d + 4 + k]) * big;
        } else {
            rowG[fd.row(e)] += big;
            colG[fd.col(e)] += big;
        }
    }

    /**
     * Adds {@code [Σp², Σv, Σv², Σm0, Σm0², Σm1, Σm1², Σm2, Σm2²]} over elements [from, to) into {@code out}: lane
     * sums go to {@code lanes[q·L + lane]} in double (no cross-lane reduction here, so the order is fixed and no vector
     * escapes the loop), the tail straight to {@code out[q]}; {@link #finish} adds the lanes in order.
     */
    static void addStats(double[] out, double[] lanes, float[] tmp, float[] p, float[] v, float[] m0, float[] m1, float[] m2, int from, int to) {
        int n = S.length(), e = from;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0;
        for (; e + n <= to; e += n) {
            FloatVector pv = FloatVector.fromArray(S, p, e), vv = FloatVector.fromArray(S, v, e);
            FloatVector a = FloatVector.fromArray(S, m0, e), b = FloatVector.fromArray(S, m1, e), d = FloatVector.fromArray(S, m2, e);
            s0 = pv.fma(pv, s0);
            s1 = s1.add(vv);
            s2 = vv.fma(vv, s2);
            s3 = s3.add(a);
            s4 = a.fma(a, s4);
            s5 = s5.add(b);
            s6 = b.fma(b, s6);
            s7 = s7.add(d);
            s8 = d.fma(d, s8);
        }
        s0.intoArray(tmp, 0);
        s1.intoArray(tmp, n);
        s2.intoArray(tmp, 2 * n);
        s3.intoArray(tmp, 3 * n);
        s4.intoArray(tmp, 4 * n);
        s5.intoArray(tmp, 5 * n);
        s6.intoArray(tmp, 6 * n);
        s7.intoArray(tmp, 7 * n);
        s8.intoArray(tmp, 8 * n);
        for (int i = 0; i < 9 * n; i++) lanes[i] += tmp[i];
        for (; e < to; e++) {
            out[0] += p[e] * p[e];
            out[1] += v[e];
            out[2] += v[e] * v[e];
            out[3] += m0[e];
            out[4] += m0[e] * m0[e];
            out[5] += m1[e];
            out[6] += m1[e] * m1[e];
            out[7] += m2[e];
            out[8] += m2[e] * m2[e];
        }
    }

    /** Adds the lane sums of {@link #addStats} into {@code out}, lane by lane in order. */
    static void finish(double[] out, double[] lanes) {
        int n = S.length();
        for (int q = 0; q < 9; q++) for (int j = 0; j < n; j++) out[q] += lanes[q * n + j];
    }
}
