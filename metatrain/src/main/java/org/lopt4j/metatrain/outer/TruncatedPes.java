package org.lopt4j.metatrain.outer;

import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * Persistent evolution strategies (outer_training.md §6, Vicol et al. 2021): ± unrolls that persist separately, an
 * accumulator of each problem's perturbations since its episode began, and the estimate
 * {@code mean_i(old_i·A_i + new_i·ε_i) / (2σ²)}, with upstream's off-by-one on the step that ends an episode kept for
 * parity. {@code signDelta > 0} replaces Δ by {@code sign(mean_s Δ·mask)·signDelta}.
 */
public record TruncatedPes(TruncatedUnroll unroll, int truncLength, double sigma, double signDelta) implements GradientEstimator {
    public TruncatedPes {
        if (unroll.copies() != 2) throw new IllegalArgumentException("PES needs an antithetic unroll (2 copies)");
        if (truncLength < 1 || !(sigma > 0)) throw new IllegalArgumentException("PES needs trunc_length ≥ 1 and σ > 0");
    }

    @Override public String name() { return "pes"; }

    private LearnedOptimizer<?> lopt() { return unroll.lopt(); }

    @Override public EstimatorState init(double[] theta, RandomKey key) {
        int n = unroll.problems();
        Slab pop = Perturbations.population(lopt(), theta, null, n, 2);
        return new EstimatorState(unroll.init(key, pop), new double[n][theta.length]);
    }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState in) {
        int n = unroll.problems();
        SlabLayout tl = lopt().thetaLayout();
        EstimatorState s = in.copy();
        double[][] eps = new double[n][];
        for (int i = 0; i < n; i++) eps[i] = Perturbations.epsilon(tl, key.child(0).child(i), sigma);
        Slab pop = Perturbations.population(lopt(), theta, eps, n, 2);
        Trajectory tr = Trajectory.run(unroll, s.unroll(), pop, key.child(1), truncLength);
        double[] grad = new double[theta.length];
        double meanLoss = 0;
        for (int i = 0; i < n; i++) {
            double[] delta = new double[truncLength];
            int d = 0;
            for (int t = 0; t < truncLength; t++) {
                delta[t] = tr.loss()[t][i] - tr.loss()[t][n + i];
                if (tr.mask()[t][i]) d++;
            }
            if (signDelta > 0) {
                double m = 0;
                for (int t = 0; t < truncLength; t++) if (tr.mask()[t][i]) m += delta[t];
                java.util.Arrays.fill(delta, Math.signum(m / truncLength) * signDelta);
            }
            double oldPart = 0, newPart = 0;
            boolean fin = false;
            for (int t = 0; t < truncLength; t++) {
                fin |= tr.done()[t][i];
                if (!tr.mask()[t][i]) continue;
                if (fin) newPart += delta[t]; else oldPart += delta[t];
            }
            double dd = Math.max(d, 1);
            oldPart /= dd;
            newPart /= dd;
            double[] a = s.accumulators()[i];
            for (int j = 0; j < a.length; j++) {
                a[j] += eps[i][j];
                grad[j] += (oldPart * a[j] + newPart * eps[i][j]) / (n * 2 * sigma * sigma);
            }
            if (fin) System.arraycopy(eps[i], 0, a, 0, a.length);
            meanLoss += (tr.maskedMean(i, n) + tr.maskedMean(n + i, n)) / (2 * n);
        }
        return new Estimate(meanLoss, grad, s);
    }
}
