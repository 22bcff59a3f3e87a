package org.lopt4j.learned.mlp;

import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.PlainMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.tensor.LearnedOps.MlpLoptArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * MLPLOpt's twin: accumulate with feature_sums (the six momenta, the 8 features' sums of squares) and apply (normalized
 * features and time features through the member's MLP, then the update), tensor after tensor, element after element,
 * in double, each value rounded once to the slab's dtype on store. The definition {@link MlpLoptSimd} and
 * mlp_lopt.cu / .cl are tested against; it calls none of them.
 */
public final class MlpLoptRef {
    private MlpLoptRef() {}

    private static CpuStorage st(Tensor t) { return (CpuStorage) t.storage(); }

    /** One step for every tensor of every member of {@code a}. */
    public static void step(MlpLoptArgs a) {
        if (UpdateCounts.skipped(a.gradStats(), a.skipNonFinite(), a.skips())) return;
        SlabLayout l = a.layout();
        UpdateCounts.advance(a.count(), l.count(), a.countStride());
        int[] counts = UpdateCounts.read(a.count(), l.count(), a.countStride());
        CpuStorage p = st(a.params()), g = st(a.grads());
        CpuStorage[] mk = {st(a.m0()), st(a.m1()), st(a.m2()), st(a.m3()), st(a.m4()), st(a.m5())};
        float[] dec = a.decays().toFloatArray(), packed = a.theta().toFloatArray();
        int[] widths = a.widths().toIntArray();
        int nt = TimeFeatures.TAU.length;
        for (int t = 0; t < l.count(); t++) {
            int off = l.offset(t), n = l.numel(t), member = t / a.perMember();
            double[] sumsq = new double[MlpLopt.NORMALIZED];
            for (int e = off; e < off + n; e++) {
                double gi = g.get(e);
                sumsq[0] += gi * gi;
                sumsq[1] += p.get(e) * p.get(e);
                for (int k = 0; k < mk.length; k++) {
                    double b = dec[k], mi = b * mk[k].get(e) + (1 - b) * gi;
                    mk[k].set(e, mi);
                    sumsq[2 + k] += mk[k].get(e) * mk[k].get(e);
                }
            }
            float[][] w = PackedMlp.weights(packed, a.thetaStride(), widths, member), b = PackedMlp.biases(packed, a.thetaStride(), widths, member);
            float[] time = TimeFeatures.of(counts[t] - 1);
            for (int e = off; e < off + n; e++) {
                double[] x = new double[MlpLopt.INPUTS];
                x[0] = g.get(e);
                x[1] = p.get(e);
                for (int k = 0; k < mk.length; k++) x[2 + k] = mk[k].get(e);
                for (int f = 0; f < MlpLopt.NORMALIZED; f++) x[f] *= 1 / Math.sqrt(TimeFeatures.NORM_EPS + sumsq[f] / n);
                for (int k = 0; k < nt; k++) x[MlpLopt.NORMALIZED + k] = time[k];
                x = PlainMlp.eval(w, b, widths, x);
                p.set(e, p.get(e) - x[0] * Math.exp(a.expMult() * x[1]) * a.stepMult());
            }
        }
    }
}
