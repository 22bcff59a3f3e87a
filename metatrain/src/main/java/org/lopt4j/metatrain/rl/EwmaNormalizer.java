package org.lopt4j.metatrain.rl;

/**
 * Per-dimension observation normalization by exponentially weighted moments (lhopt.md §4: β 0.999, eps 1e-5, clipped
 * to ±2): {@code (x − mean)/sqrt(var + eps)} with debiased EWMA mean and second moment, updated by {@link #observe}.
 */
public final class EwmaNormalizer {
    private final double beta, eps, clip;
    private final double[] mean, square;
    private double weight;

    public EwmaNormalizer(int dim, double beta, double eps, double clip) {
        this.beta = beta;
        this.eps = eps;
        this.clip = clip;
        this.mean = new double[dim];
        this.square = new double[dim];
    }

    /** lhopt.md's settings. */
    public static EwmaNormalizer lhopt(int dim) { return new EwmaNormalizer(dim, 0.999, 1e-5, 2); }

    public void observe(double[] x) {
        weight = beta * weight + (1 - beta);
        for (int i = 0; i < x.length; i++) {
            mean[i] = beta * mean[i] + (1 - beta) * x[i];
            square[i] = beta * square[i] + (1 - beta) * x[i] * x[i];
        }
    }

    /** {@code x} normalized and clipped (unchanged before the first observation). */
    public double[] apply(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (weight == 0) { out[i] = Math.max(-clip, Math.min(clip, x[i])); continue; }
            double m = mean[i] / weight, var = Math.max(0, square[i] / weight - m * m);
            out[i] = Math.max(-clip, Math.min(clip, (x[i] - m) / Math.sqrt(var + eps)));
        }
        return out;
    }

    /** Restores {@link #state()}'s output. */
    public void restore(double[] s) {
        if (s.length != 1 + 2 * mean.length) throw new IllegalArgumentException("normalizer state of " + s.length + " values for " + mean.length + " dimensions");
        weight = s[0];
        System.arraycopy(s, 1, mean, 0, mean.length);
        System.arraycopy(s, 1 + mean.length, square, 0, square.length);
    }

    /** The state, for checkpoints: the debiasing weight, then the means, then the second moments. */
    public double[] state() {
        double[] s = new double[1 + 2 * mean.length];
        s[0] = weight;
        System.arraycopy(mean, 0, s, 1, mean.length);
        System.arraycopy(square, 0, s, 1 + mean.length, square.length);
        return s;
    }
}
