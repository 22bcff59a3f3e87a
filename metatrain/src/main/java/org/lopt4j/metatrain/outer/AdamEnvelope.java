package org.lopt4j.metatrain.outer;

import java.util.Map;

/**
 * The LR-tuned Adam envelope A(s) of a task and the speedup-over-Adam metric of tasks.md §6. Only the envelope points
 * tasks.md lists are known here (initial, 100 where given, 1k, 10k, 100k steps), so A is linearly interpolated between
 * those few points: a coarse stand-in for the 512-point envelope, labelled as such in reports.
 */
public record AdamEnvelope(double[] steps, double[] losses) {
    private static final Map<String, double[]> KNOWN = Map.of(
            "ImageMLP_FashionMnist8_Relu32", new double[] {0, 2.310, 100, 1.791, 1000, 0.551, 10000, 0.437, 100000, 0.381},
            "ImageMLP_FashionMnist_Relu128x128", new double[] {0, 2.302, 1000, 0.376, 10000, 0.150, 100000, 1.2e-3},
            "ImageMLP_Cifar10_8_Relu32", new double[] {0, 2.311, 1000, 1.774, 10000, 1.509, 100000, 1.338});

    /** The envelope of {@code task}, or null when tasks.md gives none. */
    public static AdamEnvelope of(String task) {
        double[] p = KNOWN.get(task);
        if (p == null) return null;
        double[] s = new double[p.length / 2], l = new double[p.length / 2];
        for (int i = 0; i < s.length; i++) { s[i] = p[2 * i]; l[i] = p[2 * i + 1]; }
        return new AdamEnvelope(s, l);
    }

    /** A⁻¹(l): steps at which the envelope reaches loss l, clamped to [0, last step]. */
    public double stepsToReach(double loss) {
        if (Double.isNaN(loss)) return Double.NaN;
        if (loss >= losses[0]) return 0;
        int n = losses.length;
        if (loss <= losses[n - 1]) return steps[n - 1];
        for (int i = 1; i < n; i++) {
            if (loss >= losses[i]) {
                double f = (losses[i - 1] - loss) / (losses[i - 1] - losses[i]);
                return steps[i - 1] + f * (steps[i] - steps[i - 1]);
            }
        }
        return steps[n - 1];
    }

    /** {@code adamspeedup_last = A⁻¹(l(T)) / T}. */
    public double speedup(double finalLoss, int runSteps) { return stepsToReach(finalLoss) / runSteps; }
}
