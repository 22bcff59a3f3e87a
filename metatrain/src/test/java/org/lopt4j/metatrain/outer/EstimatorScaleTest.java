package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.task.QuadraticTask;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/** Truncated ES, full ES and PES estimate the meta-gradient's scale, not only its direction, and truncated ES shows its truncation bias. */
class EstimatorScaleTest {
    /*
     * The problems are EstimatorTest's separable quadratics trained by per-coordinate SGD, whose meta-loss has a
     * closed-form gradient in float64 for the very problems (start points) an estimate trained: each estimate is paired
     * with that reference, so the spread of the deviations is the estimator's own noise, not the spread of the problems.
     *
     * Why the bound is 4 standard errors plus 1%: the RUNS estimates come from disjoint keys, so their mean's error is
     * close to normal with the standard error measured from their spread; a correct estimator lands beyond 4 of them
     * in a given coordinate with probability about 1e-4, so the check does not depend on the seeds being lucky. The 1%
     * of the gradient's size (spread over the coordinates) absorbs what no number of runs removes: antithetic ES
     * differentiates the loss smoothed at σ (an O(σ²) relative bias) and the losses are float32. Every key comes from a
     * fixed seed, so the outcome is the same on every run.
     *
     * Why that catches a scale error: the summed standard error is required to be under a sixteenth of the gradient's
     * size (4·SE < |g|/4), and the same check is run on the estimates scaled by 2 and by 1/2 and must fail, so a
     * missing factor of 2 (let alone 1/σ for 1/σ²) cannot hide inside the bound.
     */
    static final int DIM = 8, PAIRS = 200, RUNS = 128, WINDOW = 5, WINDOWS = 3;
    static final double SIGMA = 0.01, SE_TO_GRADIENT = 1.0 / 16, SMOOTHING = 0.01;
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

    static double[] scaled(double[] u, double c) {
        double[] d = new double[u.length];
        for (int j = 0; j < d.length; j++) d[j] = c * u[j];
        return d;
    }

    static void add(double[] into, double[] g) {
        for (int j = 0; j < into.length; j++) into[j] += g[j];
    }

    /** How far the mean of {@code estimates − targets} is from zero, per coordinate, and the bound it must stay within. */
    record Check(Stats dev, double[] target, double[] bound) {
        static Check of(List<double[]> estimates, List<double[]> targets) {
            List<double[]> dev = new ArrayList<>();
            for (int k = 0; k < estimates.size(); k++) dev.add(minus(estimates.get(k), targets.get(k)));
            Stats d = Stats.of(dev);
            double[] target = Stats.of(targets).mean(), bound = new double[DIM];
            for (int j = 0; j < DIM; j++) bound[j] = 4 * d.se()[j] + SMOOTHING * norm(target) / Math.sqrt(DIM);
            return new Check(d, target, bound);
        }

        /** The coordinates whose mean deviation exceeds the bound. */
        int outside() {
            int o = 0;
            for (int j = 0; j < DIM; j++) if (Math.abs(dev.mean()[j]) > bound[j]) o++;
            return o;
        }

        String describe(String what) {
            StringBuilder s = new StringBuilder(String.format("%s: |target| %.4g, |mean deviation| %.3g, |standard error| %.3g%n", what,
                    norm(target), norm(dev.mean()), norm(dev.se())));
            for (int j = 0; j < DIM; j++) s.append(String.format("  θ[%d] target %+.5f  mean deviation %+.5f  bound %.5f%n", j, target[j],
                    dev.mean()[j], bound[j]));
            return s.toString();
        }
    }

    /**
     * Asserts the estimates are unbiased for their (paired) targets in every coordinate, that the standard error is small
     * against the gradient, and that estimates scaled by 2 or by 1/2 would have failed the same check.
     */
    static void unbiased(String what, List<double[]> estimates, List<double[]> targets) {
        Check c = Check.of(estimates, targets);
        System.out.print(c.describe(what));
        double size = norm(c.target());
        assertTrue(norm(c.dev().se()) <= SE_TO_GRADIENT * size, what + ": standard error " + norm(c.dev().se()) + " against a gradient of size " + size);
        assertTrue(c.outside() == 0, what + ": mean deviation outside the bound\n" + c.describe(what));
        for (double factor : new double[] {2, 0.5}) {
            List<double[]> wrong = new ArrayList<>();
            for (double[] e : estimates) wrong.add(scaled(e, factor));
            assertTrue(Check.of(wrong, targets).outside() > 0, what + ": the check would accept estimates scaled by " + factor);
        }
    }

    TruncatedUnroll unroll(TruncationSchedule s) { return new TruncatedUnroll(task, lo, s, PAIRS, 2, 0, 0, b); }

    @Test void truncatedEsIsUnbiasedForItsTruncation() {
        TruncatedEs es = new TruncatedEs(unroll(new TruncationSchedule.Constant(1000)), 10, SIGMA, 0);
        double[] theta = fixture.theta();
        List<double[]> est = new ArrayList<>(), want = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) {
            EstimatorState s = es.init(theta, RandomKey.of(100 + k));
            est.add(es.estimate(theta, RandomKey.of(200 + k), s).grad());
            want.add(fixture.analytic(theta, s.unroll(), PAIRS, 0, 10));
        }
        unbiased("truncated ES, one truncation of 10 steps, against the analytic gradient", est, want);
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
            // full ES initializes its problems from key.child(3): the same start points, rebuilt
            UnrollState start = u.init(key.child(3), Perturbations.population(lo, theta, null, PAIRS, 2));
            want.add(fixture.analytic(theta, start, PAIRS, 0, WINDOW * WINDOWS));
        }
        unbiased("full ES, " + WINDOW * WINDOWS + " steps, against the analytic gradient", est, want);
    }

    /**
     * One episode of WINDOWS truncations: the meta-loss of a later truncation depends on θ through where that
     * truncation starts, which PES's accumulated perturbations keep and truncated ES drops. Full ES over the whole
     * episode, on the same start points, is the unbiased reference; PES's sum over the truncations (divided by their
     * number, to the whole episode's mean loss) must match it, truncated ES's must not.
     */
    @Test void pesMatchesFullEsOverAnEpisodeAndTruncatedEsDoesNot() {
        int steps = WINDOW * WINDOWS;
        TruncatedPes pes = new TruncatedPes(unroll(new TruncationSchedule.Constant(1000)), WINDOW, SIGMA, 0);
        TruncatedEs tes = new TruncatedEs(unroll(new TruncationSchedule.Constant(1000)), WINDOW, SIGMA, 0);
        FullEs fes = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, 0, b),
                new TruncationSchedule.Constant(steps), WINDOW, SIGMA, FullEs.LossType.AVG, 0, 0, 0);
        TruncatedUnroll fesStart = new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), PAIRS, 2, 0, steps, b);
        double[] theta = fixture.theta();
        List<double[]> pesMeans = new ArrayList<>(), tesMeans = new ArrayList<>(), full = new ArrayList<>(), want = new ArrayList<>();
        for (int k = 0; k < RUNS; k++) {
            RandomKey key = RandomKey.of(400 + k);
            // the truncated estimators start their problems from full ES's initialization key: one set of start points
            EstimatorState sp = pes.init(theta, key.child(3)), st = tes.init(theta, key.child(3));
            assertArrayEquals(fesStart.init(key.child(3), Perturbations.population(lo, theta, null, PAIRS, 2)).params().flat().toFloatArray(),
                    sp.unroll().params().flat().toFloatArray(), "full ES and PES train the same problems");
            want.add(fixture.analytic(theta, sp.unroll(), PAIRS, 0, steps));
            full.add(fes.estimate(theta, key, EstimatorState.NONE).grad());
            double[] ps = new double[DIM], ts = new double[DIM];
            for (int win = 0; win < WINDOWS; win++) {
                RandomKey wk = RandomKey.of(10_000 + 10 * k + win);
                GradientEstimator.Estimate ep = pes.estimate(theta, wk, sp), et = tes.estimate(theta, wk, st);
                add(ps, scaled(ep.grad(), 1.0 / WINDOWS));
                add(ts, scaled(et.grad(), 1.0 / WINDOWS));
                sp = ep.next();
                st = et.next();
            }
            pesMeans.add(ps);
            tesMeans.add(ts);
        }
        unbiased("PES over " + WINDOWS + " truncations of " + WINDOW + ", against the analytic gradient", pesMeans, want);
        unbiased("full ES over the same episode, against the analytic gradient", full, want);
        unbiased("PES against full ES on the same problems", pesMeans, full);

        // truncated ES leaves out d(start of a truncation)/dθ: measured with the same bound, its deviation from full ES
        // must be outside it in most coordinates, at least twice it in one, and as large as the scale errors the checks
        // above are built to catch (a quarter of the gradient)
        Check t = Check.of(tesMeans, full);
        System.out.print(t.describe("truncated ES over " + WINDOWS + " truncations of " + WINDOW + ", against full ES"));
        double worst = 0;
        for (int j = 0; j < DIM; j++) worst = Math.max(worst, Math.abs(t.dev().mean()[j]) / t.bound()[j]);
        assertTrue(t.outside() > DIM / 2, "truncated ES is outside the bound in only " + t.outside() + " coordinates\n" + t.describe("truncated ES"));
        assertTrue(worst >= 2, "truncated ES's largest deviation is " + worst + " bounds\n" + t.describe("truncated ES"));
        assertTrue(norm(t.dev().mean()) >= 0.25 * norm(t.target()), "truncated ES's bias is small against the gradient\n" + t.describe("truncated ES"));
        Check a = Check.of(tesMeans, want);
        assertTrue(a.outside() > DIM / 2, "truncated ES against the analytic gradient is outside the bound in only " + a.outside()
                + " coordinates\n" + a.describe("truncated ES"));
    }
}
