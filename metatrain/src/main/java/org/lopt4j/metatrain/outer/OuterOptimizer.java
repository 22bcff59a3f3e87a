package org.lopt4j.metatrain.outer;

/**
 * The meta-optimizer of outer_training.md §9: {@code GradientClipOptimizer(clip) ∘ GradientAccumulator(k) ∘ Adam}
 * over the flat θ in double. Every call clips by value and accumulates; every k-th call applies Adam (eps_root inside
 * the square root, bias corrections by the count of applied steps) to the mean of the accumulated gradients.
 * {@code clip ≤ 0} disables clipping.
 */
public record OuterOptimizer(double lr, double beta1, double beta2, double eps, double epsRoot, double clip, int accumulate) {
    public OuterOptimizer {
        if (!(lr > 0) || accumulate < 1) throw new IllegalArgumentException("outer optimizer needs lr > 0 and accumulate ≥ 1");
    }

    /** The upstream default: clip 3, no accumulation, Adam(lr, 0.9, 0.999, 1e-8, eps_root 1e-8). */
    public static OuterOptimizer adam(double lr) { return new OuterOptimizer(lr, 0.9, 0.999, 1e-8, 1e-8, 3.0, 1); }

    /** Adam's moments, the applied-step count, the accumulator and its call count. */
    public record State(double[] m, double[] v, int applied, double[] acc, double accLoss, int calls) {
        public State copy() { return new State(m.clone(), v.clone(), applied, acc.clone(), accLoss, calls); }
    }

    /** Zero state for a θ of {@code n} values. */
    public State init(int n) { return new State(new double[n], new double[n], 0, new double[n], 0, 0); }

    /** One call: updates {@code theta} in place on every k-th call; returns the new state. */
    public State update(State s, double[] theta, double[] grad, double loss) {
        State n = s.copy();
        for (int j = 0; j < grad.length; j++) n.acc()[j] += clip > 0 ? Math.max(-clip, Math.min(clip, grad[j])) : grad[j];
        int calls = s.calls() + 1;
        double accLoss = s.accLoss() + loss;
        if (calls % accumulate != 0) return new State(n.m(), n.v(), n.applied(), n.acc(), accLoss, calls);
        int t = s.applied() + 1;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int j = 0; j < theta.length; j++) {
            double g = n.acc()[j] / accumulate;
            n.m()[j] = beta1 * n.m()[j] + (1 - beta1) * g;
            n.v()[j] = beta2 * n.v()[j] + (1 - beta2) * g * g;
            theta[j] -= lr * (n.m()[j] / bc1) / (Math.sqrt(n.v()[j] / bc2 + epsRoot) + eps);
        }
        java.util.Arrays.fill(n.acc(), 0);
        return new State(n.m(), n.v(), t, n.acc(), 0, calls);
    }
}
