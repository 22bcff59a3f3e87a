package org.lopt4j.tensor.cpu.ref;

import static org.lopt4j.tensor.FusedOps.AdafactorArgs.COL_OFFSET;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.FACTORED;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.FIELDS;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.LO0;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.LO1;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.LOR;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.MEAN_OFFSET;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.ROW_OFFSET;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.SPAN0;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.SPAN1;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.SPANR;
import static org.lopt4j.tensor.FusedOps.AdafactorArgs.V_OFFSET;

import org.lopt4j.tensor.FusedOps.AdafactorArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * Twins of the four Adafactor passes (cuda-kernels fused_adafactor.cu: {@code fused_adafactor_moments},
 * {@code _factors}, {@code _norms}, {@code _apply}): reduce per tensor, then apply, a constant number of passes.
 */
public final class FusedAdafactorRef {
    private FusedAdafactorRef() {}

    /** Pass 1: {@code G = g² + eps} into the row/column sums or the unfactored {@code v}; {@code Σp²} per tensor. */
    public static void moments(AdafactorArgs a) {
        Views s = new Views(a);
        double[] rows = new double[a.rowAcc().numel()], cols = new double[a.colAcc().numel()], sums = new double[2 * s.tab.tensors()];
        moments(a, s, 0, s.tab.count(), rows, cols, sums);
        addInto(RefFusedOps.cpu(a.rowAcc(), "rowAcc"), rows);
        addInto(RefFusedOps.cpu(a.colAcc(), "colAcc"), cols);
        addInto(s.sums, sums);
    }

    /** Pass 1 over chunks {@code [cFrom, cTo)}, adding into the double accumulators (a parallel caller's own). */
    public static void moments(AdafactorArgs a, Views s, int cFrom, int cTo, double[] rows, double[] cols, double[] sums) {
        int[] f = s.f;
        double rho = a.rho();
        for (int c = cFrom; c < cTo; c++) {
            int t = s.tab.tensor(c), ft = t * FIELDS, base = s.tab.offsets()[t];
            double sumP2 = 0;
            for (int i = s.tab.begin(c), end = s.tab.end(c); i < end; i++) {
                int e = i - base;
                double gi = s.g.get(i), pi = s.p.get(i), big = gi * gi + a.eps();
                sumP2 += pi * pi;
                if (f[ft + FACTORED] != 0) {
                    rows[f[ft + ROW_OFFSET] + row(f, ft, e)] += big;
                    cols[f[ft + COL_OFFSET] + col(f, ft, e)] += big;
                } else {
                    int j = f[ft + V_OFFSET] + e;
                    s.v.set(j, rho * s.v.get(j) + (1 - rho) * big);
                }
            }
            sums[2 * t] += sumP2;
        }
    }

    /** Pass 2: row and column EMAs from the sums, and each factored tensor's row means (over axis d1). */
    public static void factors(AdafactorArgs a) {
        int[] f = ChunkView.ints(a.factors(), "factors"), sizes = ChunkView.ints(a.sizes(), "sizes");
        CpuStorage vRow = RefFusedOps.cpu(a.vRow(), "vRow"), vCol = RefFusedOps.cpu(a.vCol(), "vCol");
        CpuStorage rowAcc = RefFusedOps.cpu(a.rowAcc(), "rowAcc"), colAcc = RefFusedOps.cpu(a.colAcc(), "colAcc");
        CpuStorage rowMean = RefFusedOps.cpu(a.rowMean(), "rowMean");
        double rho = a.rho();
        for (int t = 0; t < sizes.length; t++) {
            int ft = t * FIELDS;
            if (f[ft + FACTORED] == 0) continue;
            int n0 = f[ft + SPAN0] / f[ft + LO0], n1 = f[ft + SPAN1] / f[ft + LO1];
            int rows = sizes[t] / n0, cols = sizes[t] / n1;
            for (int r = 0; r < rows; r++) {
                int j = f[ft + ROW_OFFSET] + r, k = f[ft + MEAN_OFFSET] + rowMeanIndex(f, ft, r);
                double x = rho * vRow.get(j) + (1 - rho) * rowAcc.get(j) / n0;
                vRow.set(j, x);
                rowMean.set(k, rowMean.get(k) + x / n1);
            }
            for (int q = 0; q < cols; q++) {
                int j = f[ft + COL_OFFSET] + q;
                vCol.set(j, rho * vCol.get(j) + (1 - rho) * colAcc.get(j) / n1);
            }
        }
    }

    /** Pass 3: {@code Σu²} per tensor of the unscaled update. */
    public static void norms(AdafactorArgs a) {
        Views s = new Views(a);
        double[] sums = new double[2 * s.tab.tensors()];
        norms(s, 0, s.tab.count(), sums);
        addInto(s.sums, sums);
    }

    /** Pass 3 over chunks {@code [cFrom, cTo)}, adding into {@code sums[2t + 1]}. */
    public static void norms(Views s, int cFrom, int cTo, double[] sums) {
        for (int c = cFrom; c < cTo; c++) {
            int t = s.tab.tensor(c), base = s.tab.offsets()[t];
            double sumU2 = 0;
            for (int i = s.tab.begin(c), end = s.tab.end(c); i < end; i++) {
                double u = s.update(t, i, i - base);
                sumU2 += u * u;
            }
            sums[2 * t + 1] += sumU2;
        }
    }

    /** Pass 4: RMS clipping, learning rate, parameter scale, momentum, weight decay, then {@code p ← p − u}. */
    public static void apply(AdafactorArgs a) {
        Views s = new Views(a);
        apply(a, s, 0, s.tab.count());
    }

    /** Pass 4 over chunks {@code [cFrom, cTo)}. */
    public static void apply(AdafactorArgs a, Views s, int cFrom, int cTo) {
        CpuStorage b = a.momentum() > 0 ? RefFusedOps.cpu(a.trace(), "trace") : null;
        for (int c = cFrom; c < cTo; c++) {
            int t = s.tab.tensor(c), base = s.tab.offsets()[t];
            double scale = scale(a, s.sums.get(2 * t), s.sums.get(2 * t + 1), s.tab.sizes()[t]);
            for (int i = s.tab.begin(c), end = s.tab.end(c); i < end; i++) {
                double u = s.update(t, i, i - base) * scale, pi = s.p.get(i);
                if (b != null) {
                    u = a.momentum() * b.get(i) + (1 - a.momentum()) * u;
                    b.set(i, u);
                }
                s.p.set(i, pi - (u + a.weightDecayRate() * pi));
            }
        }
    }

    /** The per-tensor factor: {@code lr / max(1, rms(u)/clip)}, times {@code max(rms(p), 1e-3)} when asked. */
    public static double scale(AdafactorArgs a, double sumP2, double sumU2, int n) {
        double s = a.lr();
        if (a.clippingThreshold() > 0) s /= Math.max(1, Math.sqrt(sumU2 / n) / a.clippingThreshold());
        if (a.multiplyByParameterScale() != 0) s *= Math.max(Math.sqrt(sumP2 / n), 1e-3);
        return s;
    }

    /** Row-accumulator index of element {@code e} (axis d0 removed). */
    public static int row(int[] f, int ft, int e) { return e / f[ft + SPAN0] * f[ft + LO0] + e % f[ft + LO0]; }

    /** Column-accumulator index of element {@code e} (axis d1 removed). */
    public static int col(int[] f, int ft, int e) { return e / f[ft + SPAN1] * f[ft + LO1] + e % f[ft + LO1]; }

    /** Row-mean index of row {@code r} (axis d1 removed from the row shape). */
    public static int rowMeanIndex(int[] f, int ft, int r) { return r / f[ft + SPANR] * f[ft + LOR] + r % f[ft + LOR]; }

    private static void addInto(CpuStorage acc, double[] x) {
        for (int j = 0; j < x.length; j++) acc.set(j, acc.get(j) + x[j]);
    }

    /** The buffers and tables of one Adafactor call, read once, and the unscaled update of one element. */
    public static final class Views {
        final ChunkView tab;
        final int[] f;
        final CpuStorage p, g, v, vRow, vCol, rowMean, sums;

        public Views(AdafactorArgs a) {
            RefFusedOps.sameShape(a.params(), a.grads());
            tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
            f = ChunkView.ints(a.factors(), "factors");
            p = RefFusedOps.cpu(a.params(), "params");
            g = RefFusedOps.cpu(a.grads(), "grads");
            v = RefFusedOps.cpu(a.v(), "v");
            vRow = RefFusedOps.cpu(a.vRow(), "vRow");
            vCol = RefFusedOps.cpu(a.vCol(), "vCol");
            rowMean = RefFusedOps.cpu(a.rowMean(), "rowMean");
            sums = RefFusedOps.cpu(a.sums(), "sums");
        }

        /** The chunk table. */
        public ChunkView table() { return tab; }

        /** {@code g·(vRow/rowMean)^(−1/2)·vCol^(−1/2)} when factored, else {@code g·v^(−1/2)}. */
        double update(int t, int i, int e) {
            int ft = t * FIELDS;
            if (f[ft + FACTORED] == 0) return g.get(i) / Math.sqrt(v.get(f[ft + V_OFFSET] + e));
            int r = row(f, ft, e);
            double rowFactor = 1 / Math.sqrt(vRow.get(f[ft + ROW_OFFSET] + r) / rowMean.get(f[ft + MEAN_OFFSET] + rowMeanIndex(f, ft, r)));
            double colFactor = 1 / Math.sqrt(vCol.get(f[ft + COL_OFFSET] + col(f, ft, e)));
            return g.get(i) * rowFactor * colFactor;
        }
    }
}
