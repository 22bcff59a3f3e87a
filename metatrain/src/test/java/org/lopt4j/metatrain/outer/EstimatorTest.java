package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.task.QuadraticTask;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/**
 * ES, truncated ES, PES and full ES on separable quadratics trained by per-coordinate SGD, whose meta-loss and its
 * gradient are closed-form: each estimate must point along the analytic meta-gradient (cosine ≥ 0.9 at a fixed seed
 * with 400 antithetic pairs), and PES's accumulator must follow outer_training.md §12.
 */
class EstimatorTest {
    static final int DIM = 8, PAIRS = 400;
    static final double SIGMA = 0.01, MIN_COSINE = 0.9;
    final Backend b = Backends.best();
    final QuadraticTask task = new QuadraticTask(DIM, RandomKey.of(5), b);
    final PerCoordinateSgd lo = new PerCoordinateSgd(DIM, Math.log(0.5));

    double[] theta() { return Perturbations.flat(lo.initTheta(RandomKey.of(0), b)); }

    /** d/dθ of the mean over problems of the mean loss over steps [t0, t1), from each problem's start point. */
    double[] analytic(double[] theta, UnrollState start, int problems, int t0, int t1) {
        double[] a = task.curvatures().toDoubleArray(), c = task.centre().toDoubleArray(), x = start.params().flat().toDoubleArray();
        int size = task.layout().size();
        double[] g = new double[theta.length];
        for (int i = 0; i < problems; i++) {
            for (int j = 0; j < DIM; j++) {
                double lr = Math.exp(theta[j]), k = lr * 2 * a[j] / DIM, r = 1 - k, e = x[i * size + j] - c[j];
                for (int t = t0; t < t1; t++) {
                    if (t == 0) continue;
                    g[j] += a[j] * e * e / DIM * 2 * t * Math.pow(r, 2 * t - 1) * -k / ((t1 - t0) * (double) problems);
                }
            }
        }
        return g;
    }

    static double cosine(double[] u, double[] v) {
        double uv = 0, uu = 0, vv = 0;
        for (int j = 0; j < u.length; j++) { uv += u[j] * v[j]; uu += u[j] * u[j]; vv += v[j] * v[j]; }
        return uv / Math.sqrt(uu * vv);
    }

    TruncatedUnroll unroll(TruncationSchedule s, int problems) { return new TruncatedUnroll(task, lo, s, problems, 2, 0, 0, b); }

    @Test void truncatedEsPointsAlongTheTruncationGradient() {
        TruncatedEs es = new TruncatedEs(unroll(new TruncationSchedule.Constant(1000), PAIRS), 10, SIGMA, 0);
        double[] theta = theta();
        EstimatorState s = es.init(theta, RandomKey.of(1));
        GradientEstimator.Estimate e = es.estimate(theta, RandomKey.of(2), s);
        double cos = cosine(e.grad(), analytic(theta, s.unroll(), PAIRS, 0, 10));
        assertTrue(cos >= MIN_COSINE, "cosine " + cos);
        assertEquals(0, s.unroll().iteration()[0], "the input state is not modified");
        assertEquals(10, e.next().unroll().iteration()[0]);
    }

    @Test void pesSumOverTruncationsPointsAlongTheWholeUnrollGradient() {
        TruncatedPes pes = new TruncatedPes(unroll(new TruncationSchedule.Constant(1000), PAIRS), 5, SIGMA, 0);
        double[] theta = theta();
        EstimatorState s = pes.init(theta, RandomKey.of(1)), start = s;
        double[] sum = new double[theta.length];
        for (int k = 0; k < 3; k++) {
            GradientEstimator.Estimate e = pes.estimate(theta, RandomKey.of(10 + k), s);
            for (int j = 0; j < sum.length; j++) sum[j] += e.grad()[j];
            s = e.next();
        }
        double[] want = new double[theta.length];
        for (int k = 0; k < 3; k++) {
            double[] g = analytic(theta, start.unroll(), PAIRS, 5 * k, 5 * k + 5);
            for (int j = 0; j < want.length; j++) want[j] += g[j];
        }
        double cos = cosine(sum, want);
        assertTrue(cos >= MIN_COSINE, "cosine " + cos);
    }

    @Test void fullEsPointsAlongTheWholeUnrollGradient() {
        FullEs es = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, 0, b),
                new TruncationSchedule.Constant(17), 5, SIGMA, FullEs.LossType.AVG, 0, 0, 0);
        double[] theta = theta();
        GradientEstimator.Estimate e = es.estimate(theta, RandomKey.of(3), EstimatorState.NONE);
        // the same key initializes the problems the estimate trained: rebuild them to get the start points
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, 15, b);
        UnrollState start = u.init(RandomKey.of(3).child(3), Perturbations.population(lo, theta, null, PAIRS, 2));
        double cos = cosine(e.grad(), analytic(theta, start, PAIRS, 0, 15));
        assertTrue(cos >= MIN_COSINE, "cosine " + cos);
    }

    @Test void fullEsRoundsLengthsDownToStepsPerJit() {
        FullEs es = new FullEs(unroll(new TruncationSchedule.NeverEnding(), 1), new TruncationSchedule.Constant(257), 10, SIGMA,
                FullEs.LossType.AVG, 0, 0, 0);
        assertEquals(250, es.length(RandomKey.of(0)));
        FullEs shortOne = new FullEs(unroll(new TruncationSchedule.NeverEnding(), 1), new TruncationSchedule.Constant(7), 10, SIGMA,
                FullEs.LossType.AVG, 0, 0, 0);
        assertEquals(10, shortOne.length(RandomKey.of(0)));
    }

    /** outer_training.md §12 with upstream's off-by-one: the accumulator resets to the ε of the call whose last step ends the episode. */
    @Test void pesAccumulatorFollowsEpisodes() {
        int t = 4;
        TruncatedPes pes = new TruncatedPes(unroll(new TruncationSchedule.Constant(2 * t), 2), t, SIGMA, 0);
        double[] theta = theta();
        EstimatorState s = pes.init(theta, RandomKey.of(1));
        double[][] eps = new double[4][];
        for (int k = 0; k < 4; k++) eps[k] = Perturbations.epsilon(lo.thetaLayout(), RandomKey.of(20 + k).child(0).child(1), SIGMA);
        // episode of 8 training steps + 1 reset step, calls of 4 steps: call 2 ends the episode on its last step (reset to
        // ε2), call 3 starts with the reset step, call 4 continues the new episode
        double[][] want = {eps[0], eps[1], sum(eps[1], eps[2]), sum(sum(eps[1], eps[2]), eps[3])};
        for (int k = 0; k < 4; k++) {
            s = pes.estimate(theta, RandomKey.of(20 + k), s).next();
            assertArrayEquals(want[k], s.accumulators()[1], 1e-15, "after call " + (k + 1));
        }
    }

    static double[] sum(double[] a, double[] b) {
        double[] s = a.clone();
        for (int j = 0; j < s.length; j++) s[j] += b[j];
        return s;
    }

    /** d/dθ of the same meta-loss with the task gradients held constant (first order), from the exact trajectory. */
    double[] firstOrder(double[] theta, UnrollState start, int problems, int steps) {
        double[] a = task.curvatures().toDoubleArray(), c = task.centre().toDoubleArray(), x = start.params().flat().toDoubleArray();
        int size = task.layout().size();
        double[] g = new double[theta.length];
        for (int i = 0; i < problems; i++) {
            for (int j = 0; j < DIM; j++) {
                double lr = Math.exp(theta[j]), k = lr * 2 * a[j] / DIM, r = 1 - k, e = x[i * size + j] - c[j], past = 0;
                for (int t = 0; t < steps; t++) {
                    double gt = 2 * a[j] / DIM * e * Math.pow(r, t);
                    g[j] += gt * -lr * past / (steps * (double) problems);
                    past += gt;
                }
            }
        }
        return g;
    }

    @Test void truncatedBackpropIsTheFirstOrderGradientAndPointsAlongTheExactOne() {
        TruncatedGrad tg = new TruncatedGrad(new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(1000), 6, 1, 0, 0, b), 10);
        double[] theta = theta();
        EstimatorState s = tg.init(theta, RandomKey.of(1));
        GradientEstimator.Estimate e = tg.estimate(theta, RandomKey.of(2), s);
        double[] fo = firstOrder(theta, s.unroll(), 6, 10), exact = analytic(theta, s.unroll(), 6, 0, 10);
        for (int j = 0; j < DIM; j++) assertEquals(fo[j], e.grad()[j], 1e-4 * Math.abs(fo[j]) + 1e-7, "θ[" + j + "]");
        double cos = cosine(e.grad(), exact);
        assertTrue(cos >= MIN_COSINE, "cosine with the exact meta-gradient " + cos);
        assertEquals(10, e.next().unroll().iteration()[0]);
    }

    @Test void truncatedBackpropThroughMlpLoptOnAnImageTask() {
        var r = Recipe.of(MetaConfig.defaults().with(java.util.Map.of("lopt", "mlp_lopt", "estimator", "truncated_grad", "problems", 2,
                "truncLength", 3)), null, b);
        double[] theta = Perturbations.flat(r.lopt().initTheta(RandomKey.of(0), b));
        GradientEstimator.Estimate e = r.estimator().estimate(theta, RandomKey.of(2), r.estimator().init(theta, RandomKey.of(1)));
        double norm = 0;
        for (double g : e.grad()) { assertTrue(Double.isFinite(g)); norm += g * g; }
        assertTrue(norm > 0, "a non-zero meta-gradient");
        assertTrue(e.meanLoss() > 1 && e.meanLoss() < 3, "loss " + e.meanLoss());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Recipe.of(MetaConfig.defaults().with(
                java.util.Map.of("estimator", "truncated_grad")), null, b));
    }

    /**
     * VeLO meta-trained by PES: a population of VeLO θ (one per unroll member) fed each member's loss, with members
     * reset tensor-wise when their truncations end (12 steps of length-10 truncations: every member restarts once).
     */
    @Test void pesThroughVeloOnAnImageTask() {
        var r = Recipe.of(MetaConfig.defaults().with(java.util.Map.of("lopt", "velo_small", "estimator", "pes", "problems", 2,
                "truncLength", 4, "schedule", "constant:10")), null, b);
        double[] theta = Perturbations.flat(r.lopt().initTheta(RandomKey.of(0), b));
        EstimatorState st = r.estimator().init(theta, RandomKey.of(1));
        for (int k = 0; k < 3; k++) {
            GradientEstimator.Estimate e = r.estimator().estimate(theta, RandomKey.of(2 + k), st);
            double norm = 0;
            for (double g : e.grad()) { assertTrue(Double.isFinite(g)); norm += g * g; }
            assertTrue(norm > 0, "a non-zero meta-gradient");
            assertTrue(e.meanLoss() > 1 && e.meanLoss() < 3, "loss " + e.meanLoss());
            st = e.next();
        }
    }

    /** A full-ES unroll of a constant length tells the inner optimizer that length (VeLO's and L3RS's time features). */
    @Test void fullEsToldTheInnerOptimizerItsLength() {
        var constant = Recipe.of(MetaConfig.defaults().with(java.util.Map.of("estimator", "full_es", "schedule", "constant:37", "truncLength", 1)), null, b);
        assertEquals(37, ((FullEs) constant.estimator()).base().numStepsOverride());
        var drawn = Recipe.of(MetaConfig.defaults().with(java.util.Map.of("estimator", "full_es", "schedule", "loguniform:10:100", "truncLength", 1)), null, b);
        assertEquals(0, ((FullEs) drawn.estimator()).base().numStepsOverride(), "a drawn length is not planned ahead");
    }

    /** Full ES's loss types on one estimate: last ≤ avg on a converging quadratic, a clip bounds every difference. */
    @Test void fullEsLossTypesAndClip() {
        double[] theta = theta();
        double[] loss = new double[4];
        FullEs.LossType[] types = FullEs.LossType.values();
        for (int k = 0; k < types.length; k++) {
            FullEs es = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), 4, 2, 0, 0, b),
                    new TruncationSchedule.Constant(20), 10, SIGMA, types[k], 3, 0, 0);
            loss[k] = es.estimate(theta, RandomKey.of(3), EstimatorState.NONE).meanLoss();
        }
        assertTrue(loss[2] < loss[0] && loss[1] <= loss[2], "last < avg, min ≤ last: " + java.util.Arrays.toString(loss));
        assertTrue(loss[3] < loss[2], "last_recompute evaluates the final parameters, one update past the last step's loss: "
                + java.util.Arrays.toString(loss));
        FullEs clipped = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), 4, 2, 0, 0, b),
                new TruncationSchedule.Constant(20), 10, SIGMA, FullEs.LossType.AVG, 0, 1e-9, 0);
        double[] g = clipped.estimate(theta, RandomKey.of(3), EstimatorState.NONE).grad();
        double bound = 0;
        for (int i = 0; i < 4; i++) {
            double[] e = Perturbations.epsilon(lo.thetaLayout(), RandomKey.of(3).child(0).child(i), SIGMA);
            for (int j = 0; j < DIM; j++) bound = Math.max(bound, Math.abs(e[j]));
        }
        for (double x : g) assertTrue(Math.abs(x) <= 1e-9 * bound / (2 * SIGMA * SIGMA) + 1e-15, "clipped estimate " + x);
        assertThrows(IllegalArgumentException.class, () -> FullEs.LossType.parse("mean"));
        assertThrows(IllegalArgumentException.class, () -> new FullEs(unroll(new TruncationSchedule.Constant(5), 1),
                new TruncationSchedule.Constant(20), 10, SIGMA, FullEs.LossType.AVG, 0, 0, 0));
    }

    /** A NaN loss difference contributes 0 (outer_training.md §12). */
    @Test void fullEsNanDifferenceCountsZero() {
        PerCoordinateSgd exploding = new PerCoordinateSgd(DIM, Math.log(1e30));
        FullEs es = new FullEs(new TruncatedUnroll(task, exploding, new TruncationSchedule.NeverEnding(), 2, 2, 0, 0, b),
                new TruncationSchedule.Constant(20), 10, SIGMA, FullEs.LossType.LAST, 0, 0, 0);
        double[] theta = Perturbations.flat(exploding.initTheta(RandomKey.of(0), b));
        for (double x : es.estimate(theta, RandomKey.of(3), EstimatorState.NONE).grad()) assertEquals(0, x);
    }
}
