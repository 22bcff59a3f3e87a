package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.task.QuadraticTask;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/**
 * The estimators checked for scale, not only direction: on separable quadratics trained by per-coordinate SGD (the
 * closed-form meta-gradient of {@link EstimatorTest}), the mean of {@value #RUNS} independent estimates minus the
 * analytic meta-gradient of the problems each trained must be zero within 4 standard errors of that mean, per
 * coordinate (plus 1% of the gradient's size for ES's O(σ²) smoothing), and the standard error must be under a tenth
 * of the gradient's size, so that a wrong factor (1/σ for 1/σ², a missing 1/2) fails. PES summed over the truncations of
 * an unroll is unbiased for the whole unroll's gradient; truncated ES summed the same way is not (it drops what each
 * truncation's θ does to the next one's start), and the test requires that difference to be visible at 5 standard errors.
 */
class EstimatorScaleTest {
    static final int DIM = 8, PAIRS = 200, RUNS = 24, WINDOW = 5, WINDOWS = 3;
    static final double SIGMA = 0.01;
    final Backend b = Backends.best();
    final EstimatorTest fixture = new EstimatorTest();
    final QuadraticTask task = fixture.task;
    final PerCoordinateSgd lo = fixture.lo;

    /** Per coordinate the mean of {@code xs} and its standard error. */
    record Stats(double[] mean, double[] se) {
        static Stats of(List<double[]> xs) {
            int n = xs.size(), d = xs.get(0).length;
            double[] mean = new double[d], se = new double[d];
            for (double[] x : xs) for (int j = 0; j < d; j++) mean[j] += x[j] / n;
            for (double[] x : xs) for (int j = 0; j < d; j++) se[j] += (x[j] - mean[j]) * (x[j] - mean[j]) / (n - 1);
            for (int j = 0; j < d; j++) se[j] = Math.sqrt(se[j] / n);
            return new Stats(mean, se);
        }
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    static double[] minus(double[] u, double[] v) {
        double[] d = new double[u.length];
        for (int j = 0; j < d.length; j++) d[j] = u[j] - v[j];
        return d;
    }

    /** Asserts the estimates are unbiased for their targets and the check is tight enough to see a scale error. */
    static void unbiased(String what, List<double[]> estimates, List<double[]> targets) {
        List<double[]> dev = new ArrayList<>();
        for (int k = 0; k < estimates.size(); k++) dev.add(minus(estimates.get(k), targets.get(k)));
        Stats d = Stats.of(dev), t = Stats.of(targets);
        double size = norm(t.mean());
        assertTrue(norm(d.se()) <= 0.1 * size, what + ": standard error " + norm(d.se()) + " against a gradient of size " + size);
        for (int j = 0; j < DIM; j++) {
            double bound = 4 * d.se()[j] + 0.01 * size / Math.sqrt(DIM);
            assertTrue(Math.abs(d.mean()[j]) <= bound, what + ": coordinate " + j + " mean deviation " + d.mean()[j] + " > " + bound
                    + " (target " + t.mean()[j] + ")");
        }
        System.out.printf("%s: |mean deviation| %.3g, |standard error| %.3g, |gradient| %.3g%n", what, norm(d.mean()), norm(d.se()), size);
    }

    TruncatedUnroll unroll(TruncationSchedule s) { return new TruncatedUnroll(task, lo, s, PAIRS, 2, 0, 0, b); }

    double[] sum(double[] into, double[] g) {
        for (int j = 0; j < into.length; j++) into[j] += g[j];
        return into;
    }

    @Test void truncatedEsIsUnbiasedForItsTruncation() {
        TruncatedEs es = new TruncatedEs(unroll(new TruncationSchedule.Constant(1000)), 10, SIGMA, 0);
        double[] theta = fixture.theta();
        List<double[]> est = new ArrayList<>(), want = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) {
            EstimatorState s = es.init(theta, RandomKey.of(100 + k));
            est.add(es.estimate(theta, RandomKey.of(200 + k), s).grad());
            want.add(fixture.analytic(theta, s.unroll(), PAIRS, 0, 10));
        }
        unbiased("truncated ES, one truncation", est, want);
    }

    @Test void fullEsIsUnbiasedForTheWholeUnroll() {
        FullEs es = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, 0, b),
                new TruncationSchedule.Constant(WINDOW * WINDOWS), WINDOW, SIGMA, FullEs.LossType.AVG, 0, 0, 0);
        double[] theta = fixture.theta();
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, WINDOW * WINDOWS, b);
        List<double[]> est = new ArrayList<>(), want = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) {
            RandomKey key = RandomKey.of(300 + k);
            est.add(es.estimate(theta, key, EstimatorState.NONE).grad());
            UnrollState start = u.init(key.child(3), Perturbations.population(lo, theta, null, PAIRS, 2));
            want.add(fixture.analytic(theta, start, PAIRS, 0, WINDOW * WINDOWS));
        }
        unbiased("full ES", est, want);
    }

    @Test void pesIsUnbiasedForTheWholeUnrollAndTruncatedEsIsNot() {
        TruncatedPes pes = new TruncatedPes(unroll(new TruncationSchedule.Constant(1000)), WINDOW, SIGMA, 0);
        TruncatedEs tes = new TruncatedEs(unroll(new TruncationSchedule.Constant(1000)), WINDOW, SIGMA, 0);
        double[] theta = fixture.theta();
        List<double[]> pesSums = new ArrayList<>(), tesSums = new ArrayList<>(), want = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) {
            EstimatorState sp = pes.init(theta, RandomKey.of(400 + k)), st = tes.init(theta, RandomKey.of(400 + k)), start = sp;
            double[] ps = new double[DIM], ts = new double[DIM], w = new double[DIM];
            for (int win = 0; win < WINDOWS; win++) {
                GradientEstimator.Estimate ep = pes.estimate(theta, RandomKey.of(500 + 10 * k + win), sp);
                GradientEstimator.Estimate et = tes.estimate(theta, RandomKey.of(500 + 10 * k + win), st);
                sum(ps, ep.grad());
                sum(ts, et.grad());
                sum(w, fixture.analytic(theta, start.unroll(), PAIRS, WINDOW * win, WINDOW * win + WINDOW));
                sp = ep.next();
                st = et.next();
            }
            pesSums.add(ps);
            tesSums.add(ts);
            want.add(w);
        }
        unbiased("PES over " + WINDOWS + " truncations", pesSums, want);
        List<double[]> dev = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) dev.add(minus(tesSums.get(k), want.get(k)));
        Stats d = Stats.of(dev);
        double worst = 0;
        for (int j = 0; j < DIM; j++) worst = Math.max(worst, Math.abs(d.mean()[j]) / d.se()[j]);
        System.out.printf("truncated ES over %d truncations: bias %.3g (|standard error| %.3g), up to %.1f standard errors%n", WINDOWS,
                norm(d.mean()), norm(d.se()), worst);
        assertTrue(worst > 5, "truncated ES shows its truncation bias: largest coordinate bias is " + worst + " standard errors");
    }
}
