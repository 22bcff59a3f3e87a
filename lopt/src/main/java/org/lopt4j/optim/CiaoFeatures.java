package org.lopt4j.optim;

/**
 * LHOPT's 13 inner features of one tensor at one CIAO step (lhopt.md §3), from the clipped gradient g, the
 * bias-corrected momentum m̂, the pre-learning-rate update u, the parameters p and the step's learning rate:
 * whether the step clipped; the share of v above ε; mean log|u|; log‖m̂‖ − log‖g‖; log(lr‖u‖) − log‖p‖;
 * log‖m̂‖ − log‖m̂ − g‖; the cosines of (g, m̂), (g, p), (g, u); log‖p‖ − log‖u‖; logit Φ(cos·√N) of (g, m̂) and
 * (g, u); Φ(cos·√N) of (g, p). Every log adds 1e-8 inside; cosines divide by max(‖a‖‖b‖, 1e-8); probabilities are
 * clipped to [1e-8, 1 − 1e-8] before the logit; N is the tensor's size.
 */
public final class CiaoFeatures {
    public static final int COUNT = 13;
    public static final String[] NAMES = {"did_grad_clip", "sqrt_v_hat_gt_epsilon", "mean_log_abs_adam_pre_lr_update", "log_two_regimes_scale",
            "log_adam_update_norm_over_param_norm", "log_noise_scale", "cosine_similarity_grad_momentum", "cosine_similarity_grad_param",
            "cosine_similarity_grad_update", "log_lamb", "logit_cdf_cosine_similarity_grad_momentum", "logit_cdf_cosine_similarity_grad_update",
            "cdf_cosine_similarity_grad_param"};

    private CiaoFeatures() {}

    static double[] of(boolean clipped, double aboveEps, double[] g, double[] m, double[] u, double[] p, double lr) {
        int n = g.length;
        double logAbsU = 0;
        double[] diff = new double[n];
        for (int i = 0; i < n; i++) {
            logAbsU += Math.log(Math.abs(u[i]) + 1e-8) / Math.max(1, n);
            diff[i] = m[i] - g[i];
        }
        double gn = norm(g), mn = norm(m), un = norm(u), pn = norm(p), sqrtN = Math.sqrt(n);
        double cgm = cos(g, m), cgp = cos(g, p), cgu = cos(g, u);
        return new double[] {clipped ? 1 : 0, aboveEps, logAbsU, log(mn) - log(gn), log(lr * un) - log(pn), log(mn) - log(norm(diff)),
                cgm, cgp, cgu, log(pn) - log(un), logit(phi(cgm * sqrtN)), logit(phi(cgu * sqrtN)), phi(cgp * sqrtN)};
    }

    private static double log(double x) { return Math.log(x + 1e-8); }

    static double norm(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s);
    }

    static double cos(double[] a, double[] b) {
        double ab = 0;
        for (int i = 0; i < a.length; i++) ab += a[i] * b[i];
        return ab / Math.max(norm(a) * norm(b), 1e-8);
    }

    static double logit(double q) {
        double c = Math.max(1e-8, Math.min(1 - 1e-8, q));
        return Math.log(c / (1 - c));
    }

    /** The standard normal CDF, by erfc's continued fraction / series (|error| < 1e-14 in double). */
    static double phi(double x) { return 0.5 * erfc(-x / Math.sqrt(2)); }

    static double erfc(double x) {
        if (x < 0) return 2 - erfc(-x);
        if (x < 2) {                                               // 1 − erf(x) with erf's Maclaurin series
            double sum = x, term = x, x2 = x * x;
            for (int k = 1; k < 100; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = 0;                                              // erfc's continued fraction, evaluated from the tail
        for (int k = 60; k >= 1; k--) f = k / 2.0 / (x + f);
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
    }
}
