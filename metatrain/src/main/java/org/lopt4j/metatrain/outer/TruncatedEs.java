package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * Truncated ES (outer_training.md §5): both ± unrolls start from the stored state, run {@code unrollLength} steps;
 * {@code ĝ = mean_i(Δ_i·ε_i)/(2σ²)} with Δ the difference of masked mean losses; the positive end state continues.
 */
public record TruncatedEs(TruncatedUnroll unroll, int unrollLength, double sigma, double signDelta) implements GradientEstimator {
    public TruncatedEs {
        if (unroll.copies() != 2) throw new IllegalArgumentException("truncated ES needs an antithetic unroll (2 copies)");
    }

    @Override public String name() { return "tes"; }

    @Override public EstimatorState init(double[] theta, RandomKey key) {
        Slab pop = Perturbations.population(unroll.lopt(), theta, null, unroll.problems(), 2);
        return new EstimatorState(unroll.init(key, pop), null);
    }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState in) {
        int n = unroll.problems(), per = unroll.task().layout().count();
        EstimatorState s = in.copy();
        UnrollState u = s.unroll();
        for (int i = 0; i < n; i++) {                                   // the negative copy restarts from the positive state
            MemberSlabs.copy(u.params(), i, n + i, per);
            MemberSlabs.copy(u.opt(), i, n + i, per);
        }
        double[][] eps = new double[n][];
        for (int i = 0; i < n; i++) eps[i] = Perturbations.epsilon(unroll.lopt().thetaLayout(), key.child(0).child(i), sigma);
        Slab pop = Perturbations.population(unroll.lopt(), theta, eps, n, 2);
        Trajectory tr = Trajectory.run(unroll, u, pop, key.child(1), unrollLength);
        double[] grad = new double[theta.length];
        double meanLoss = 0;
        for (int i = 0; i < n; i++) {
            double lp = tr.maskedMean(i, n), lm = tr.maskedMean(n + i, n), delta = lp - lm;
            if (signDelta > 0) delta = Math.signum(delta) * signDelta;
            for (int j = 0; j < grad.length; j++) grad[j] += delta * eps[i][j] / (n * 2 * sigma * sigma);
            meanLoss += (lp + lm) / (2 * n);
        }
        return new Estimate(meanLoss, grad, s);
    }
}
