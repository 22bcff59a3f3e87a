package org.lopt4j.metatrain.rl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.metatrain.outer.AdamEnvelope;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.train.Comparison;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Schedule;
import org.lopt4j.tensor.Backend;

/**
 * LHOPT against lhopt.md §8's baselines on one task: AdamW at 5 learning rates × 7 schedules (constant, multi-step,
 * linear, quadratic, exponential, cosine to 0, cosine to 0.1), on the same seeds; the score is Comparison's (the
 * training loss over the last 10% of the steps, mean over seeds); the speedup is the steps the best baseline's
 * smoothed curve needs to reach LHOPT's final smoothed loss, over the run's steps (at most 1: ≥ when never).
 */
public final class LhoptEval {
    public static final double[] LRS = {1e-4, 3e-4, 1e-3, 3e-3, 1e-2};
    public static final String[] SCHEDULES = {"constant", "multistep", "linear", "quadratic", "exponential", "cosine", "cosine_0.1"};

    private LhoptEval() {}

    public static Schedule schedule(String name, double lr) {
        return switch (name) {
            case "constant" -> new Schedule.Constant(lr);
            case "multistep" -> new Schedule.MultiStep(lr, 0.1, new double[] {0.5, 0.75});
            case "linear" -> new Schedule.LinearDecay(lr, 0);
            case "quadratic" -> new Schedule.Polynomial(lr, 2);
            case "exponential" -> new Schedule.Exponential(lr, 0.01);
            case "cosine" -> new Schedule.Cosine(lr, 0, 0, 0);
            case "cosine_0.1" -> new Schedule.Cosine(lr, 0.1, 0, 0);
            default -> throw new IllegalArgumentException("unknown schedule '" + name + "'");
        };
    }

    /** One run: label, mean curve, score, the lr per step (the baselines' from their schedule, LHOPT's from its policy). */
    public record Run(String label, double[] curve, double score, double[] lr) {}

    /** What the evaluation found. */
    public record Result(Run lhopt, Run bestGrid, Run bestConstant, double speedupOverGrid, boolean gridNeverReached, double speedupOverConstant,
                         boolean constantNeverReached, List<Run> grid) {}

    public static Result evaluate(LhoptOptimizer policy, Task task, int steps, int seeds, long seed, Backend b) {
        double[] curve = new double[steps], lr = new double[steps];
        for (int m = 0; m < seeds; m++) {
            double[] one = new double[steps];
            InnerTrainer.train(task, policy, steps, seed + m, 1, b, (s, losses) -> one[s] = losses[0], () -> false,
                    (LhoptOptimizer.State st) -> lr[Math.min(steps - 1, st.step() - 1)] += st.now().lr() / seeds);
            for (int s = 0; s < steps; s++) curve[s] += one[s] / seeds;
        }
        Run mine = run("lhopt", curve, lr);
        List<Run> grid = new ArrayList<>();
        for (String sch : SCHEDULES) {
            for (double l : LRS) {
                Schedule schedule = schedule(sch, l);
                double[] c = new double[steps];
                for (int m = 0; m < seeds; m++) {
                    double[] one = new double[steps];
                    InnerTrainer.train(task, new AdamW(schedule, 0.9, 0.999, 1e-8, 0, 1e-2, NonFinitePolicy.SKIP_AND_COUNT), steps, seed + m, 1, b,
                            (s, losses) -> one[s] = losses[0]);
                    for (int s = 0; s < steps; s++) c[s] += one[s] / seeds;
                }
                double[] lrs = new double[steps];
                for (int s = 0; s < steps; s++) lrs[s] = schedule.at(s, steps);
                grid.add(run(sch + " lr " + l, c, lrs));
            }
        }
        Run bestGrid = best(grid, null), bestConstant = best(grid, "constant");
        double last = AdamEnvelope.smoothed(mine.curve())[steps - 1];
        AdamEnvelope g = AdamEnvelope.fromCurves(List.of(bestGrid.curve())), c = AdamEnvelope.fromCurves(List.of(bestConstant.curve()));
        return new Result(mine, bestGrid, bestConstant, g.speedup(last, steps), g.beyond(last), c.speedup(last, steps), c.beyond(last), grid);
    }

    private static Run run(String label, double[] curve, double[] lr) {
        int tail = Math.max(1, curve.length * Comparison.TAIL_PERCENT / 100);
        double score = 0;
        for (int s = curve.length - tail; s < curve.length; s++) score += curve[s] / tail;
        return new Run(label, curve, Double.isFinite(score) ? score : Double.NaN, lr);
    }

    private static Run best(List<Run> runs, String prefix) {
        Run best = null;
        for (Run r : runs) {
            if (prefix != null && !r.label().startsWith(prefix + " ")) continue;
            if (Double.isNaN(r.score())) continue;
            if (best == null || r.score() < best.score()) best = r;
        }
        if (best == null) throw new IllegalStateException("every baseline run diverged");
        return best;
    }

    /** The result as JSON-ready maps. */
    public static Map<String, Object> json(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lhopt_score", r.lhopt().score());
        m.put("best_grid", r.bestGrid().label());
        m.put("best_grid_score", r.bestGrid().score());
        m.put("best_constant", r.bestConstant().label());
        m.put("best_constant_score", r.bestConstant().score());
        m.put("speedup_over_grid", r.speedupOverGrid());
        m.put("grid_never_reached", r.gridNeverReached());
        m.put("speedup_over_constant", r.speedupOverConstant());
        m.put("constant_never_reached", r.constantNeverReached());
        Map<String, Double> all = new LinkedHashMap<>();
        for (Run g : r.grid()) all.put(g.label(), g.score());
        m.put("grid_scores", all);
        return m;
    }
}
