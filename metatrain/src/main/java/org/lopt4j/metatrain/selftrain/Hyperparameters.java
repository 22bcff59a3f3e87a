package org.lopt4j.metatrain.selftrain;

import java.util.List;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * A member's hyperparameters that PBT explores (pbt_selftraining.md §3): the outer step multiplier (θ moves by
 * {@code stepMult·(θ' − θ)}), the ES standard deviation and the unroll length.
 */
public record Hyperparameters(double stepMult, double sigma, int unrollLength) {
    /** Ranges explore clips to: σ in [1e-4, 1], the step multiplier in [1e-4, 1e2]. */
    static final double SIGMA_MIN = 1e-4, SIGMA_MAX = 1, MULT_MIN = 1e-4, MULT_MAX = 1e2;
    /** Standard deviation of the log-normal perturbation (lopt4j's choice; the paper's is not published). */
    static final double MUTATION_STD = 0.2;

    /** A fresh member's: step multiplier log-uniform in the config's range, σ and unroll length as configured. */
    static Hyperparameters initial(SelfTrainConfig c, RandomKey key) {
        double u = key.sample(Op.Dist.UNIFORM, DType.F64, 0);
        double mult = c.stepMultMin() == c.stepMultMax() ? c.stepMultMin()
                : Math.exp(Math.log(c.stepMultMin()) + u * (Math.log(c.stepMultMax()) - Math.log(c.stepMultMin())));
        return new Hyperparameters(mult, c.sigma(), c.unrollLength());
    }

    /**
     * Explore: each hyperparameter named in {@code which} is multiplied by {@code exp(N(0, 0.2²))} and clipped to its
     * range (the unroll length rounded, within half and four times the configured length).
     */
    Hyperparameters mutate(List<String> which, int configuredUnroll, RandomKey key) {
        double m = stepMult, s = sigma;
        int len = unrollLength;
        if (which.contains("step_mult")) m = clip(m * factor(key, 0), MULT_MIN, MULT_MAX);
        if (which.contains("sigma")) s = clip(s * factor(key, 1), SIGMA_MIN, SIGMA_MAX);
        if (which.contains("unroll")) {
            len = (int) Math.round(clip(len * factor(key, 2), Math.max(1, configuredUnroll / 2.0), 4.0 * configuredUnroll));
        }
        return new Hyperparameters(m, s, len);
    }

    private static double factor(RandomKey key, int i) { return Math.exp(MUTATION_STD * key.sample(Op.Dist.NORMAL, DType.F64, i)); }

    private static double clip(double x, double lo, double hi) { return Math.max(lo, Math.min(hi, x)); }
}
