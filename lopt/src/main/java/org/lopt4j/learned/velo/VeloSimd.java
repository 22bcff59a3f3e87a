package org.lopt4j.learned.velo;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.lanes.Factors;
import org.lopt4j.learned.lanes.LaneAccumulate;
import org.lopt4j.learned.lanes.LaneRule;
import org.lopt4j.tensor.LearnedOps.VeloArgs;

/**
 * VeLO's two per-element passes for F32 slabs in vector lanes on both cores ({@link VeloRef} is the twin): the
 * accumulate pass with VeLO's fixed decays, which also sums the statistics of the LSTM features from the values it
 * replaces; then, after the tensor network, feature_sums and apply with VeLO's 30 feature rows and each tensor's
 * mixed MLP.
 */
public final class VeloSimd {
    private VeloSimd() {}

    /** Statistics of the state before the update into {@code a.stats()}, then the accumulators. */
    public static void accumulate(VeloArgs a) {
        int tensors = a.state().layout().count();
        double[][] sums = new double[tensors][VeloArgs.STATS];
        if (LaneAccumulate.accumulate(a.state(), sums) == null) return;           // skipped: counted, nothing changed
        double[] flat = new double[tensors * VeloArgs.STATS];
        for (int t = 0; t < tensors; t++) System.arraycopy(sums[t], 0, flat, t * VeloArgs.STATS, VeloArgs.STATS);
        VeloRefPasses.writeStats(a.stats(), flat);
    }

    /** Every element through its tensor's mixed MLP ({@code a.mixed()}) with step multiplier {@code a.lr()·a.step()[t]}, then the decay. */
    public static void apply(VeloArgs a) {
        if (UpdateCounts.skips(a.state().gradStats(), a.state().skipNonFinite())) return;
        Factors[] aux = LaneAccumulate.factors(a.state());
        int count = a.state().layout().count();
        int[] widths = {Velo.FEATURES, Velo.HIDDEN, Velo.HIDDEN, Velo.OUTPUTS};
        float[] mixed = a.mixed().toFloatArray(), step = a.step().toFloatArray();
        float[][][] w = new float[count][3][], b = new float[count][3][];
        int[] mlpOf = new int[count];
        for (int t = 0; t < count; t++) {
            int at = t * VeloArgs.MIXED;
            for (int layer = 0; layer < 3; layer++) {
                int in = widths[layer], out = widths[layer + 1];
                w[t][layer] = java.util.Arrays.copyOfRange(mixed, at, at + in * out);
                at += in * out;
                b[t][layer] = java.util.Arrays.copyOfRange(mixed, at, at + out);
                at += out;
            }
            mlpOf[t] = t;
            step[t] = (float) (a.lr() * step[t]);
        }
        LaneRule.apply(new LaneRule.Rule(LaneRule.Slots.VELO, widths, w, b, mlpOf, null, 0.001f, step, (float) a.paramDecay()), a.state(), aux);
    }
}
