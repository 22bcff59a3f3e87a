package org.lopt4j.metatrain.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;

/**
 * One optimizer on one task for a planned number of steps, on held-out seeds run as members of one batched model:
 * the mean training-loss curve, the final score (the training loss averaged over the last {@value #TAIL_PERCENT} % of
 * the steps, then over seeds: narrowing_l3rs.md §2's meta-objective) and the test loss of the trained parameters.
 */
public final class Comparison {
    /** The final score averages this share of the last steps. */
    public static final int TAIL_PERCENT = 10;

    /** A run's outcome: {@code curve[s]} the seeds' mean training loss before step s's update. */
    public record Run(double[] curve, double score, double testLoss) {
        /**
         * Whether the run diverged by {@code train}'s rule ({@link Divergence#standard()}: its mean loss at some step not
         * finite or above 10× the initial loss), or its score or test loss is not finite. A run that blows up and
         * partly recovers, or ends far above where it started, is diverged even when its numbers stay finite.
         */
        public boolean diverged() {
            if (!Double.isFinite(score) || !Double.isFinite(testLoss)) return true;
            Divergence rule = Divergence.standard();
            for (double loss : curve) if (rule.diverged(curve[0], loss)) return true;
            return false;
        }
    }

    private Comparison() {}

    /**
     * Trains {@code seeds} members (member m from {@code seed}'s key child m, as {@link InnerTrainer#train}) for
     * {@code steps} steps; {@code afterStep} sees the optimizer state after every update (null for none).
     */
    public static <S extends OptState<S>> Run run(Task task, Optimizer<S> opt, int steps, long seed, int seeds, Backend backend,
                                                  Consumer<S> afterStep) {
        double[] curve = new double[steps];
        InnerTrainer.Result r = InnerTrainer.train(task, opt, steps, seed, seeds, backend, (s, losses) -> {
            double mean = 0;
            for (double l : losses) mean += l / seeds;
            curve[s] = mean;
        }, () -> false, afterStep);
        int tail = Math.max(1, steps * TAIL_PERCENT / 100);
        double score = 0;
        for (int s = steps - tail; s < steps; s++) score += curve[s] / tail;
        Split held = task.examples(Split.TEST) > 0 ? Split.TEST : Split.TRAIN;
        double test = 0;
        for (double l : InnerTrainer.evaluate(task, r.params(), seeds, held, 10, seed + 1, backend)) test += l / seeds;
        return new Run(curve, score, test);
    }

    /** {@code count} learning rates spaced evenly in log between {@code lo} and {@code hi}, both included. */
    public static double[] logSpaced(double lo, double hi, int count) {
        if (!(lo > 0) || !(hi >= lo) || count < 1) throw new IllegalArgumentException("learning-rate grid needs 0 < lo ≤ hi and ≥ 1 point");
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = count == 1 ? lo : Math.exp(Math.log(lo) + i * (Math.log(hi) - Math.log(lo)) / (count - 1));
        return out;
    }

    /** The index of the best (lowest finite) score, or -1 when every run diverged. */
    public static int best(List<Run> runs) {
        int at = -1;
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).diverged()) continue;
            if (at < 0 || runs.get(i).score() < runs.get(at).score()) at = i;
        }
        return at;
    }

    /** Every-{@code every}-th point of a curve as (step, value) pairs, the last step included. */
    public static List<double[]> thinned(double[] curve, int every) {
        List<double[]> out = new ArrayList<>();
        for (int s = 0; s < curve.length; s++) if (s % every == 0 || s == curve.length - 1) out.add(new double[] {s, curve[s]});
        return out;
    }
}
