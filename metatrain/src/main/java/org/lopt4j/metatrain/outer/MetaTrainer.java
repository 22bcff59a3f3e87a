package org.lopt4j.metatrain.outer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.learned.velo.VeloAdamStart;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * The single-machine outer loop (outer_training.md §9–10): each outer step sends one unit per estimator through a
 * {@link UnitExecutor}, replaces a NaN meta-loss by 20 and non-finite gradient entries by 0 (counted), averages the
 * units' gradients and losses, applies the outer optimizer, commits the workers' new states, optionally re-creates
 * estimators, and checkpoints atomically every {@code checkpointSeconds} and when asked to stop. A step whose update
 * would make θ non-finite (as a float32) keeps θ and the outer optimizer's state as they were (counted, and reported as skipped):
 * one bad step must not turn the learned optimizer into NaN. Every key derives from the seed, the step
 * and the estimator id, so a run resumed from a checkpoint continues exactly as an uninterrupted one.
 */
public final class MetaTrainer {
    /** Meta-loss a NaN is replaced by (upstream's value). */
    public static final double NAN_LOSS = 20.0;

    /** Sees each finished outer step. */
    @FunctionalInterface
    public interface Listener { void onStep(StepReport r); }

    /**
     * One outer step: its index, the mean meta-loss, the best unit's loss, |ĝ|, seconds of unit work, wall seconds,
     * whether its θ update was skipped as non-finite, and the run's count of such steps so far.
     */
    public record StepReport(int step, double metaLoss, double bestLoss, double gradNorm, double unitSeconds, double wallSeconds,
                             boolean skipped, long skippedSteps) {}

    private final Recipe recipe;
    private final OuterOptimizer outer;
    private final UnitExecutor executor;
    private final Path checkpoint;

    /** {@code checkpoint} null = no checkpoints. */
    public MetaTrainer(Recipe recipe, UnitExecutor executor, Path checkpoint) {
        MetaConfig c = recipe.config();
        this.recipe = recipe;
        this.outer = new OuterOptimizer(c.outerLr(), 0.9, 0.999, 1e-8, 1e-8, c.clip(), c.accumulate());
        this.executor = executor;
        this.checkpoint = checkpoint;
    }

    private RandomKey runKey() { return RandomKey.of(recipe.config().seed()); }

    /** A fresh run: θ from the config's θ file or the learned optimizer's meta-training init, fresh workers. */
    public MetaState fresh() throws IOException {
        double[] theta = Perturbations.flat(initialTheta());
        EstimatorState[] w = new EstimatorState[recipe.config().estimators()];
        for (int e = 0; e < w.length; e++) w[e] = recipe.estimator().init(theta, runKey().child(1).child(e));
        return new MetaState(0, theta, outer.init(theta.length), w, 0, 0, 0, 0);
    }

    private Slab initialTheta() throws IOException {
        MetaConfig c = recipe.config();
        if (!c.initTheta().isEmpty()) return MetaCheckpoint.anyTheta(Path.of(c.initTheta()), recipe.lopt(), recipe.backend());
        if (c.adamStart() > 0) return VeloAdamStart.theta((Velo) LearnedOptimizers.named(c.lopt()), c.adamStart(), VeloAdamStart.NOISE, runKey().child(0), recipe.backend());
        return recipe.lopt().initTheta(runKey().child(0), recipe.backend());
    }

    /** Runs outer steps from {@code s} until the config's count (or {@code stopAfter} more steps); returns the state. */
    public MetaState run(MetaState s, int stopAfter, Listener listener) throws IOException { return run(s, stopAfter, () -> false, listener); }

    /** {@link #run(MetaState, int, Listener)} that also ends, checkpointed, after the first step that sees {@code stop}. */
    public MetaState run(MetaState s, int stopAfter, BooleanSupplier stop, Listener listener) throws IOException {
        MetaConfig c = recipe.config();
        long lastCkpt = System.nanoTime();
        int end = Math.min(c.outerSteps(), stopAfter < 0 ? Integer.MAX_VALUE : s.step() + stopAfter);
        while (s.step() < end) {
            long t0 = System.nanoTime();
            s = step(s, listener, t0);
            boolean last = s.step() == end || stop.getAsBoolean();
            if (checkpoint != null && (last || (System.nanoTime() - lastCkpt) / 1e9 >= c.checkpointSeconds())) {
                MetaCheckpoint.write(checkpoint, recipe, s);
                lastCkpt = System.nanoTime();
            }
            if (last) break;
        }
        return s;
    }

    private MetaState step(MetaState s, Listener listener, long t0) {
        MetaConfig c = recipe.config();
        int step = s.step();
        RandomKey stepKey = runKey().child(2).fold(step);
        List<EstimatorUnit> units = new ArrayList<>();
        for (int e = 0; e < s.workers().length; e++) {
            units.add(new EstimatorUnit("step" + step + "/est" + e, step, e, s.theta(), stepKey.child(e), recipe.estimator(), s.workers()[e]));
        }
        List<UnitResult> results = executor.runAll(units);
        double[] grad = new double[s.theta().length];
        double loss = 0, best = Double.POSITIVE_INFINITY, unitSec = 0;
        long nanLosses = s.nanLosses(), bad = s.nonFiniteGrads();
        EstimatorState[] next = new EstimatorState[units.size()];
        for (int e = 0; e < results.size(); e++) {
            UnitResult r = results.get(e);
            if (r.estimatorId() != e) throw new IllegalStateException("unit results out of order: got " + r.id() + " at " + e);
            double l = r.meanLoss();
            if (Double.isNaN(l)) { l = NAN_LOSS; nanLosses++; }
            loss += l / results.size();
            best = Math.min(best, l);
            for (int j = 0; j < grad.length; j++) {
                double g = r.grad()[j];
                if (!Double.isFinite(g)) { g = 0; bad++; }
                grad[j] += g / results.size();
            }
            next[e] = r.next();
            unitSec += r.seconds();
        }
        double[] theta = s.theta().clone();
        OuterOptimizer.State o = outer.update(s.outer(), theta, grad, loss);
        boolean skip = !allFinite(theta);
        long skipped = s.skippedSteps() + (skip ? 1 : 0);
        if (skip) {
            theta = s.theta();
            o = s.outer();
        }
        if (c.resampleFrequency() > 0) {
            for (int e = 0; e < next.length; e++) {
                RandomKey k = stepKey.child(1_000_000 + e);
                if (k.sample(Op.Dist.UNIFORM, DType.F64, 0) < 1.0 / c.resampleFrequency()) next[e] = recipe.estimator().init(theta, k.child(1));
            }
        }
        double norm = 0;
        for (double g : grad) norm += g * g;
        double wall = (System.nanoTime() - t0) / 1e9;
        if (listener != null) listener.onStep(new StepReport(step, loss, best, Math.sqrt(norm), unitSec, wall, skip, skipped));
        return new MetaState(step + 1, theta, o, next, nanLosses, bad, skipped, s.seconds() + wall);
    }

    /** Whether every value of θ {@code x} is finite as a float32, the precision learned optimizers apply θ in and files hold it in. */
    public static boolean allFinite(double[] x) {
        for (double v : x) if (!(Math.abs(v) <= Float.MAX_VALUE)) return false;
        return true;
    }
}
