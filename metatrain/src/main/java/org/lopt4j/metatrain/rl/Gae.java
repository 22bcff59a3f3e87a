package org.lopt4j.metatrain.rl;

/**
 * Generalized advantage estimation over one episode (Schulman et al. 2016; lhopt.md §4's γ = 1, λ = 0.95):
 * {@code δ_t = r_t + γ·V_{t+1} − V_t} with {@code V_T = lastValue} (0 for a finished episode),
 * {@code A_t = δ_t + γλ·A_{t+1}}, and the value targets {@code R_t = A_t + V_t}.
 */
public record Gae(double[] advantages, double[] returns) {
    public static Gae of(double[] rewards, double[] values, double lastValue, double gamma, double lambda) {
        int n = rewards.length;
        if (values.length != n) throw new IllegalArgumentException(n + " rewards but " + values.length + " values");
        double[] adv = new double[n], ret = new double[n];
        double next = 0;
        for (int t = n - 1; t >= 0; t--) {
            double v1 = t == n - 1 ? lastValue : values[t + 1];
            double delta = rewards[t] + gamma * v1 - values[t];
            next = delta + gamma * lambda * next;
            adv[t] = next;
            ret[t] = next + values[t];
        }
        return new Gae(adv, ret);
    }
}
