package org.lopt4j.metatrain.rl;

import org.lopt4j.optim.Ciao;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * LHOPT's action heads on CIAO's hyperparameters (lhopt.md §4's table): multiplicative choices for lr, weight decay, ε,
 * 1 − β2, 1 − β1, the clip EMA's 1 − β and LAMB's norm EMA, a logit shift for the clip ratio, each result clipped to its
 * bounds; and the initial randomization of training episodes (log-uniform factors, a uniform logit shift).
 */
public final class CiaoActions {
    /** The choices of each head, in the order of {@link #HEADS}. */
    static final double[][] CHOICES = {{0.5, 0.707, 0.9, 1, 1.1, 1.414, 2}, {0.5, 2}, {0.5, 2}, {0.5, 2}, {0.5, 2}, {-1, -0.3, 0.3, 1},
            {0.5, 1, 2}, {1 / 1.5, 1, 1.5}};
    public static final String[] HEADS = {"lr", "weight_decay", "epsilon", "ombeta2", "ombeta1", "group_clip_grad_norm", "grad_clip_ombeta",
            "lamb_update_norm_ombeta"};
    static final double[][] BOUNDS = {{1e-8, 1}, {1e-8, 1}, {1e-8, 1}, {1e-5, 0.1}, {1e-5, 1}, {1e-10, 1 - 1e-10}, {1e-5, 1}, {1e-5, 1}};
    /** Initial randomization ranges: factor log-uniform in [lo, hi] (the clip ratio: a logit shift uniform in [lo, hi]). */
    static final double[][] RANDOMIZE = {{1e-2, 1e2}, {0.1, 10}, {0.1, 10}, {0.1, 10}, {0.1, 10}, {-1, 1}, {0.5, 2}, {0.5, 2}};
    static final int CLIP = 5;

    private CiaoActions() {}

    /** Choices per head, for the policy's action sizes. */
    public static int[] sizes() {
        int[] s = new int[CHOICES.length];
        for (int i = 0; i < s.length; i++) s[i] = CHOICES[i].length;
        return s;
    }

    static double[] values(Ciao c) {
        return new double[] {c.lr(), c.weightDecay(), c.epsilon(), c.ombeta2(), c.ombeta1(), c.clipNorm(), c.gradClipOmbeta(), c.lambUpdateNormOmbeta()};
    }

    static Ciao of(Ciao c, double[] v) { return c.with(v[0], v[4], v[3], v[2], v[1], v[5], v[6], v[7]); }

    /** {@code c} after one action per head. */
    public static Ciao apply(Ciao c, int[] action) {
        if (action.length != CHOICES.length) throw new IllegalArgumentException(action.length + " actions for " + CHOICES.length + " heads");
        double[] v = values(c);
        for (int h = 0; h < v.length; h++) v[h] = move(h, v[h], CHOICES[h][action[h]]);
        return of(c, v);
    }

    private static double move(int h, double x, double by) {
        double y = h == CLIP ? sigmoid(logit(x) + by) : x * by;
        return Math.max(BOUNDS[h][0], Math.min(BOUNDS[h][1], y));
    }

    /** {@code c}'s hyperparameters randomized for a training episode from {@code key} (one uniform per head). */
    public static Ciao randomize(Ciao c, RandomKey key) {
        double[] v = values(c);
        for (int h = 0; h < v.length; h++) {
            double u = key.sample(Op.Dist.UNIFORM, DType.F64, h), lo = RANDOMIZE[h][0], hi = RANDOMIZE[h][1];
            v[h] = move(h, v[h], h == CLIP ? lo + u * (hi - lo) : Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))));
        }
        return of(c, v);
    }

    static double logit(double p) { return Math.log(p / (1 - p)); }

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }
}
