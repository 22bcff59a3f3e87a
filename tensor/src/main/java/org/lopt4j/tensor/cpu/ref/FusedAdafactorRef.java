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
        RefFusedOps.sameShape(a.params(), a.grads());
        ChunkView tab = table(a);
        int[] f = ChunkView.ints(a.factors(), "factors");
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage v = RefFusedOps.cpu(a.v(), "v"), rowAcc = RefFusedOps.cpu(a.rowAcc(), "rowAcc");
        CpuStorage colAcc = RefFusedOps.cpu(a.colAcc(), "colAcc"), sums = RefFusedOps.cpu(a.sums(), "sums");
        double rho = a.rho();
        for (int c = 0; c < tab.count(); c++) {
            int t = tab.tensor(c), ft = t * FIELDS, base = tab.offsets()[t];
            double sumP2 = 0;
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                int e = i - base;
                double gi = g.get(i), pi = p.get(i), big = gi * gi + a.eps();
                sumP2 += pi * pi;
                if (f[ft + FACTORED] != 0) {
                    int r = f[ft + ROW_OFFSET] + row(f, ft, e), k = f[ft + COL_OFFSET] + col(f, ft, e);
                    rowAcc.set(r, rowAcc.get(r) + big);
                    colAcc.set(k, colAcc.get(k) + big);
                } else {
                    int j = f[ft + V_OFFSET] + e;
                    v.set(j, rho * v.get(j) + (1 - rho) * big);
                }
            }
            sums.set(2 * t, sums.get(2 * t) + sumP2);
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
        ChunkView tab = table(a);
        Views s = new Views(a);
        for (int c = 0; c < tab.count(); c++) {
            int t = tab.tensor(c), base = tab.offsets()[t];
            double sumU2 = 0;
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double u = s.update(t, i, i - base);
                sumU2 += u * u;
            }
            s.sums.set(2 * t + 1, s.sums.get(2 * t + 1) + sumU2);
        }
    }

    /** Pass 4: RMS clipping, learning rate, parameter scale, momentum, weight decay, then {@code p ← p − u}. */
    public static void apply(AdafactorArgs a) {
        ChunkView tab = table(a);
        Views s = new Views(a);
        CpuStorage b = a.momentum() > 0 ? RefFusedOps.cpu(a.trace(), "trace") : null;
        for (int c = 0; c < tab.count(); c++) {
            int t = tab.tensor(c), base = tab.offsets()[t];
            double scale = scale(a, s.sums.get(2 * t), s.sums.get(2 * t + 1), tab.sizes()[t]);
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
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

    private static ChunkView table(AdafactorArgs a) {
        return ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
    }

    /** The buffers passes 3 and 4 read, and the unscaled update of one element. */
    private static final class Views {
        final int[] f;
        final CpuStorage p, g, v, vRow, vCol, rowMean, sums;

        Views(AdafactorArgs a) {
            RefFusedOps.sameShape(a.params(), a.grads());
            f = ChunkView.ints(a.factors(), "factors");
            p = RefFusedOps.cpu(a.params(), "params");
            g = RefFusedOps.cpu(a.grads(), "grads");
            v = RefFusedOps.cpu(a.v(), "v");
            vRow = RefFusedOps.cpu(a.vRow(), "vRow");
            vCol = RefFusedOps.cpu(a.vCol(), "vCol");
            rowMean = RefFusedOps.cpu(a.rowMean(), "rowMean");
            sums = RefFusedOps.cpu(a.sums(), "sums");
        }

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
