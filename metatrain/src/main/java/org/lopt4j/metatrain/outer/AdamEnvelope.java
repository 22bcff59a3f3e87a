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

    /**
     * The envelope of measured Adam runs, tasks.md §5's procedure at reduced size: each curve ({@code curve[s]} the
     * seed-averaged loss at step s) smoothed by an EMA ({@code y0 = x0, y = 0.95·y + 0.05·x}), the minimum over curves
     * taken pointwise, then a running minimum. Non-finite points of a diverged run do not count.
     */
    public static AdamEnvelope fromCurves(java.util.List<double[]> curves) {
        int n = curves.get(0).length;
        double[] steps = new double[n], env = new double[n];
        java.util.Arrays.fill(env, Double.POSITIVE_INFINITY);
        for (double[] c : curves) {
            double[] y = smoothed(c);
            for (int s = 0; s < n; s++) if (Double.isFinite(y[s])) env[s] = Math.min(env[s], y[s]);
        }
        for (int s = 0; s < n; s++) {
            steps[s] = s;
            if (s > 0) env[s] = Math.min(env[s], env[s - 1]);
        }
        return new AdamEnvelope(steps, env);
    }

    /** tasks.md §5's smoothing of a loss curve: {@code y0 = x0}, {@code y_k = 0.95·y_{k−1} + 0.05·x_k}. */
    public static double[] smoothed(double[] curve) {
        double[] y = new double[curve.length];
        for (int s = 0; s < y.length; s++) y[s] = s == 0 ? curve[0] : 0.95 * y[s - 1] + 0.05 * curve[s];
        return y;
    }

    /** Whether {@code loss} lies below the envelope's last point: Adam did not reach it within the envelope's steps. */
    public boolean beyond(double loss) { return loss < losses[losses.length - 1]; }

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
