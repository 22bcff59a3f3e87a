package org.lopt4j.learned.velo;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.smallfc.SmallFcLoptRef;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.VeloArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * VeLO's per-element and per-tensor passes as plain loops in double (the scalar backend's, and the CPU's loss-buffer
 * and LSTM-input passes): the twins of velo.cu's kernels, built from {@link VeloRef}'s definitions.
 */
public final class VeloRefPasses {
    private VeloRefPasses() {}

    /**
     * The scalar backend's first per-element pass: per tensor the sums {@code [Σp², Σv, Σv², Σm_k, Σm_k²]} of the state
     * before the update into {@code a.stats()}, then small_fc_lopt's accumulate with VeLO's fixed decays.
     */
    public static void accumulate(VeloArgs a) {
        FactoredArgs s = a.state();
        if (UpdateCounts.skips(s.gradStats(), s.skipNonFinite())) {
            SmallFcLoptRef.accumulate(s);                              // counts the skip, changes nothing
            return;
        }
        SlabLayout l = s.layout();
        CpuStorage p = (CpuStorage) s.params().storage(), v = (CpuStorage) s.v().storage();
        CpuStorage[] m = {(CpuStorage) s.m0().storage(), (CpuStorage) s.m1().storage(), (CpuStorage) s.m2().storage()};
        double[] out = new double[l.count() * VeloArgs.STATS];
        for (int t = 0; t < l.count(); t++) {
            double[] q = new double[VeloArgs.STATS];
            for (int e = l.offset(t); e < l.offset(t) + l.numel(t); e++) {
                double pe = p.get(e), ve = v.get(e);
                q[0] += pe * pe;
                q[1] += ve;
                q[2] += ve * ve;
                for (int k = 0; k < 3; k++) {
                    double mk = m[k].get(e);
                    q[3 + 2 * k] += mk;
                    q[4 + 2 * k] += mk * mk;
                }
            }
            System.arraycopy(q, 0, out, t * VeloArgs.STATS, VeloArgs.STATS);
        }
        writeStats(a.stats(), out);
        SmallFcLoptRef.accumulate(s);
    }

    /** Writes per-tensor statistics into {@code stats} (F64, or rounded into F32). */
    static void writeStats(Tensor stats, double[] values) {
        if (stats.dtype() == org.lopt4j.tensor.DType.F64) { stats.storage().write(stats.offset(), values); return; }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        stats.storage().write(stats.offset(), f);
    }

    /**
     * The scalar backend's second per-element pass, after the tensor network: each tensor's 30 MLP features from the
     * clipped gradient and the updated accumulators, normalized per tensor, through its mixed MLP ({@code a.mixed()},
     * 159 floats per tensor), then {@code q = p − lr·step[t]·out0·exp(0.001·out1)}, {@code p ← q − paramDecay·q}.
     */
    public static void apply(VeloArgs a) {
        FactoredArgs s = a.state();
        if (UpdateCounts.skips(s.gradStats(), s.skipNonFinite())) return;
        SlabLayout l = s.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        SmallFcLoptRef.Factors[] aux = SmallFcLoptRef.factors(s);
        CpuStorage p = (CpuStorage) s.params().storage(), g = (CpuStorage) s.grads().storage(), v = (CpuStorage) s.v().storage();
        CpuStorage[] m = {(CpuStorage) s.m0().storage(), (CpuStorage) s.m1().storage(), (CpuStorage) s.m2().storage()};
        CpuStorage[] r = {(CpuStorage) s.r0().storage(), (CpuStorage) s.r1().storage(), (CpuStorage) s.r2().storage()};
        CpuStorage[] c = {(CpuStorage) s.c0().storage(), (CpuStorage) s.c1().storage(), (CpuStorage) s.c2().storage()};
        double[] mixed = a.mixed().toDoubleArray(), step = a.step().toDoubleArray();
        for (int t = 0; t < l.count(); t++) {
            double[][] w = unpackMixed(mixed, t * VeloArgs.MIXED);
            int off = l.offset(t), n = l.numel(t), nn = Math.max(1, n);
            double[] f = new double[Velo.FEATURES], sumsq = new double[Velo.FEATURES];
            for (int e = 0; e < n; e++) {
                VeloRef.mlpFeatures(f, e, off, rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
                for (int q = 0; q < f.length; q++) sumsq[q] += f[q] * f[q];
            }
            for (int e = 0; e < n; e++) {
                VeloRef.mlpFeatures(f, e, off, rl.offset(t), cl.offset(t), aux[t], p, g, v, m, r, c);
                for (int q = 0; q < f.length; q++) f[q] *= 1 / Math.sqrt(1e-5 + sumsq[q] / nn);
                double[] o = VeloRef.mlp(w, f);
                double q = p.get(off + e) - a.lr() * step[t] * o[0] * Math.exp(0.001 * o[1]);
                p.set(off + e, a.paramDecay() == 0 ? q : q - a.paramDecay() * q);
            }
        }
    }

    /**
     * The loss buffers on the CPU (every backend's twin of velo.cu's learned_velo_loss_features): each tensor's buffer
     * takes its member's loss; loss features and fresh flags out; a skipped step changes no buffer and says not fresh.
     */
    public static void lossFeatures(VeloArgs a) {
        FactoredArgs s = a.state();
        int tensors = s.layout().count(), per = tensors / s.members();
        float[] fresh = new float[tensors], lf = new float[tensors * VeloArgs.LOSS_FEATURES];
        if (!UpdateCounts.skips(s.gradStats(), s.skipNonFinite())) {
            float[] losses = a.losses().toFloatArray();
            CpuStorage buf = (CpuStorage) a.lossBuffer().storage();
            float[] decay = VeloLossBuffer.decays(a.numSteps());
            for (int t = 0; t < tensors; t++) {
                int at = a.lossBuffer().offset() + t * a.lossStride();
                float[] it = {(float) buf.get(at)}, means = new float[VeloLossBuffer.SIZE], runMin = new float[VeloLossBuffer.SIZE];
                fresh[t] = it[0] == 0 ? 1 : 0;
                for (int i = 0; i < VeloLossBuffer.SIZE; i++) {
                    means[i] = (float) buf.get(at + 1 + i);
                    runMin[i] = (float) buf.get(at + 1 + VeloLossBuffer.SIZE + i);
                }
                if (it[0] == 0) VeloLossBuffer.init(means, runMin, it);
                VeloLossBuffer.update(means, runMin, it, decay, losses[t / per]);
                System.arraycopy(VeloLossBuffer.features(means, runMin, it, decay), 0, lf, t * VeloArgs.LOSS_FEATURES, VeloArgs.LOSS_FEATURES);
                buf.set(at, it[0]);
                for (int i = 0; i < VeloLossBuffer.SIZE; i++) {
                    buf.set(at + 1 + i, means[i]);
                    buf.set(at + 1 + VeloLossBuffer.SIZE + i, runMin[i]);
                }
            }
            a.lossFeatures().storage().write(a.lossFeatures().offset(), lf);
        }
        a.fresh().storage().write(a.fresh().offset(), fresh);
    }

    /**
     * The LSTM inputs on the CPU (the twin of learned_velo_lstm_features): per tensor, {@link VeloRef#lstmFeaturesFromSums}
     * of its statistics, loss features and training fraction (update count before this step over numSteps), and its
     * parameter scale.
     */
    public static void lstmFeatures(VeloArgs a) {
        FactoredArgs s = a.state();
        SlabLayout l = s.layout();
        int tensors = l.count();
        double[] stats = a.stats().toDoubleArray();
        float[] lf = a.lossFeatures().toFloatArray(), x = new float[tensors * VeloArgs.LSTM_INPUTS], scale = new float[tensors];
        int[] counts = UpdateCounts.read(s.count(), tensors, s.countStride());
        for (int t = 0; t < tensors; t++) {
            float frac = (float) (counts[t] - 1) / (float) a.numSteps();
            double[] st = java.util.Arrays.copyOfRange(stats, t * VeloArgs.STATS, (t + 1) * VeloArgs.STATS), xt = new double[Velo.FEATURES];
            float[] lft = java.util.Arrays.copyOfRange(lf, t * VeloArgs.LOSS_FEATURES, (t + 1) * VeloArgs.LOSS_FEATURES);
            VeloRef.lstmFeaturesFromSums(xt, l.shape(t), l.numel(t), st, frac, lft);
            for (int q = 0; q < Velo.FEATURES; q++) x[t * VeloArgs.LSTM_INPUTS + q] = (float) xt[q];
            scale[t] = (float) (Math.sqrt(st[0] / Math.max(1, l.numel(t)) + 1e-9) * 0.001);
        }
        a.lstmInputs().storage().write(a.lstmInputs().offset(), x);
        a.paramScale().storage().write(a.paramScale().offset(), scale);
    }

    /** One tensor's mixed MLP from its 159 floats at {@code at}: w0 (30×4), b0, w1, b1, w2, b2. */
    private static double[][] unpackMixed(double[] mixed, int at) {
        int[] sizes = {Velo.FEATURES * Velo.HIDDEN, Velo.HIDDEN, Velo.HIDDEN * Velo.HIDDEN, Velo.HIDDEN, Velo.HIDDEN * Velo.OUTPUTS, Velo.OUTPUTS};
        double[][] out = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(mixed, at, at + sizes[i]);
            at += sizes[i];
        }
        return out;
    }

}
