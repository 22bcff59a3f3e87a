package org.lopt4j.learned.smallfc;

import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.lanes.Factors;
import org.lopt4j.learned.lanes.LaneAccumulate;
import org.lopt4j.learned.lanes.LaneRule;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs;

/**
 * small_fc_lopt's step for F32 slabs in vector lanes on both cores ({@link SmallFcLoptRef} is its twin): the
 * accumulate pass ({@link LaneAccumulate}), then feature_sums and apply ({@link LaneRule}) with small_fc_lopt's 28
 * features, its time features and each member's MLP.
 */
public final class SmallFcLoptSimd {
    private SmallFcLoptSimd() {}

    /** One step for every tensor of every member of {@code a}. */
    public static void step(SmallFcLoptArgs a) {
        FactoredArgs s = a.state();
        if (a.maxGradNorm() > 0) GradNormClip.simd(s, a.maxGradNorm());
        Factors[] aux = LaneAccumulate.accumulate(s, null);
        if (aux == null) return;
        int count = s.layout().count(), members = s.members(), perMember = count / members;
        int[] counts = UpdateCounts.read(s.count(), count, s.countStride());
        int[] widths = new int[a.layers() + 2];
        widths[0] = SmallFcLopt.INPUTS;
        for (int l = 1; l <= a.layers(); l++) widths[l] = a.hidden();
        widths[widths.length - 1] = 2;
        float[] packed = a.theta().toFloatArray();
        float[][][] w = new float[members][][], b = new float[members][][];
        float[][] times = new float[members][];
        for (int m = 0; m < members; m++) {
            w[m] = PackedMlp.weights(packed, a.thetaStride(), widths, m);
            b[m] = PackedMlp.biases(packed, a.thetaStride(), widths, m);
            times[m] = TimeFeatures.of(counts[m * perMember] - 1);
        }
        int[] mlpOf = new int[count];
        float[] stepOf = new float[count];
        float[] tensorScale = a.tensorScales().toFloatArray();
        for (int t = 0; t < count; t++) { mlpOf[t] = t / perMember; stepOf[t] = (float) (a.stepScale() * tensorScale[t]); }
        LaneRule.apply(new LaneRule.Rule(LaneRule.Slots.SMALL_FC, widths, w, b, mlpOf, times, (float) a.expMult(), stepOf, (float) a.paramDecay()), s, aux);
    }
}
