package org.lopt4j.learned.smallfc;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * PyLO's {@code max_grad_norm}: torch's {@code clip_grad_norm_} on each parameter tensor alone, before the features —
 * {@code g ← g·min(1, max/(‖g‖₂ + 1e-6))}, in place. Nothing changes on a step the non-finite policy skips.
 */
final class GradNormClip {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private GradNormClip() {}

    /** The factor a tensor's gradient is scaled by, from its norm. */
    static double factor(double norm, double max) { return Math.min(1, max / (norm + 1e-6)); }

    /** The twin: norms and scaling in double, each value rounded once on store. */
    static void ref(FactoredArgs a, double max) {
        if (UpdateCounts.skips(a.gradStats(), a.skipNonFinite())) return;
        SlabLayout l = a.layout();
        CpuStorage g = (CpuStorage) a.grads().storage();
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int off = l.offset(t), n = l.numel(t);
                double sum = 0;
                for (int e = 0; e < n; e++) sum += g.get(off + e) * g.get(off + e);
                double f = factor(Math.sqrt(sum), max);
                for (int e = 0; e < n; e++) g.set(off + e, g.get(off + e) * f);
            }
        });
    }

    /** The Vector API pass over float slabs: lane sums of squares into double per vector, then one scaling pass. */
    static void simd(FactoredArgs a, double max) {
        if (UpdateCounts.skips(a.gradStats(), a.skipNonFinite())) return;
        SlabLayout l = a.layout();
        float[] g = ((CpuStorage) a.grads().storage()).f32;
        Parallel.forRange(l.count(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int off = l.offset(t), n = l.numel(t), e = 0;
                double sum = 0;
                for (; e + S.length() <= n; e += S.length()) {
                    FloatVector x = FloatVector.fromArray(S, g, off + e);
                    sum += x.mul(x).reduceLanes(VectorOperators.ADD);
                }
                for (; e < n; e++) sum += (double) g[off + e] * g[off + e];
                float f = (float) factor(Math.sqrt(sum), max);
                if (f == 1f) continue;
                e = 0;
                for (; e + S.length() <= n; e += S.length()) FloatVector.fromArray(S, g, off + e).mul(f).intoArray(g, off + e);
                for (; e < n; e++) g[off + e] *= f;
            }
        });
    }
}
