package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.outer.AdamEnvelope;
import org.lopt4j.metatrain.outer.Evaluation;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.train.Divergence;
import org.lopt4j.tensor.Backend;

/**
 * The evaluation a meta-training run ends with (and {@code lopt4j eval} runs): a summary, printed and then written,
 * and a PNG of the curves. A diverged run is marked as such and never wins a comparison.
 */
final class EvalReport {
    /** The learning rates of the Adam sweep beside the fixed-LR comparison. */
    static final double[] SWEEP = {3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
    /** When a row counts as diverged (the rule {@code lopt4j train} stops on). */
    static final Divergence DIVERGENCE = Divergence.standard();

    private EvalReport() {}

    static void evaluateAndReport(Recipe r, double[] theta, Path out, int steps, int seeds, double adamLr, PrintStream p) throws IOException {
        evaluateAndReport(r.lopt(), r.task(), r.backend(), theta, out, steps, seeds, adamLr, p);
    }

    /** θ of {@code lopt} against Adam (the fixed learning rate and the sweep) on {@code task}'s held-out seeds. */
    static void evaluateAndReport(LearnedOptimizer<?> lopt, Task task, Backend backend, double[] theta, Path out, int steps, int seeds,
                                  double adamLr, PrintStream p) throws IOException {
        int every = Math.max(1, steps / 100);
        System.err.printf("evaluating on %d held-out seeds x %d steps: %s, then Adam at %s%n", seeds, steps, lopt.name(), java.util.Arrays.toString(SWEEP));
        Evaluation.Run lo = Evaluation.learned(lopt, theta, task, steps, seeds, every, backend);
        Map<Double, Evaluation.Run> adam = Evaluation.adam(task, SWEEP, steps, seeds, every, backend);
        Evaluation.Run fixed = adam.containsKey(adamLr) ? adam.get(adamLr)
                : Evaluation.run("adam lr " + adamLr, task, org.lopt4j.optim.Adam.lo(adamLr), steps, seeds, every, backend);
        Evaluation.Run best = adam.values().stream().filter(x -> !diverged(x)).min(java.util.Comparator.comparingDouble(Evaluation.Run::finalLoss)).orElse(null);
        AdamEnvelope env = AdamEnvelope.of(task.name());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n== evaluation: %s, %d steps, %d held-out seeds (train-split loss on 5 batches, mean over seeds) ==%n",
                task.name(), steps, seeds));
        sb.append(String.format("%-28s %12s %14s%n", "optimizer", "final loss", env == null ? "" : "speedup/Adam*"));
        List<Evaluation.Run> rows = new java.util.ArrayList<>(List.of(lo));
        rows.addAll(adam.values());
        if (!adam.containsKey(adamLr)) rows.add(fixed);
        for (Evaluation.Run run : rows) {
            sb.append(String.format("%-28s %12s %14s%n", run.label(), diverged(run) ? "diverged" : String.format("%.4f", run.finalLoss()),
                    env == null || diverged(run) ? "" : String.format("%.3f", env.speedup(run.finalLoss(), steps))));
        }
        String bestText = best == null ? "none (every run diverged)" : String.format("%s (%.4f)", best.label(), best.finalLoss());
        if (diverged(lo) || diverged(fixed)) {
            sb.append(String.format("no winner: %s diverged (loss above %g × its initial loss, or not finite); best Adam of the sweep: %s%n",
                    diverged(lo) ? lopt.name() : "Adam lr " + adamLr, DIVERGENCE.factor(), bestText));
        } else {
            boolean beats = lo.finalLoss() < fixed.finalLoss();
            sb.append(String.format("%s %s Adam lr %g at %d steps (%.4f vs %.4f); best Adam of the sweep: %s%n",
                    lopt.name(), beats ? "BEATS" : "does not beat", adamLr, steps, lo.finalLoss(), fixed.finalLoss(), bestText));
        }
        if (env != null) sb.append("* speedup over tasks.md's LR-tuned Adam envelope, interpolated between its few listed points (coarse)\n");
        sb.append("plot: ").append(out.resolve("eval.png")).append('\n');
        p.print(sb);                                                       // the results first: an unwritable --out loses nothing
        p.flush();
        java.nio.file.Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("summary.txt"), sb.toString());
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        series.put(lo.label() + " (meta-trained)", lo.curve());
        series.put(fixed.label(), fixed.curve());
        if (best != null && best != fixed) series.put(best.label() + " (best of sweep)", best.curve());
        Plots.losses(out.resolve("eval.png"), task.name() + ": held-out seeds", series);
    }

    /** Whether a run diverged: a curve point or its final loss is not finite or above {@link #DIVERGENCE}'s factor × the initial loss. */
    static boolean diverged(Evaluation.Run run) {
        double initial = run.curve().isEmpty() ? run.finalLoss() : run.curve().get(0)[1];
        if (DIVERGENCE.diverged(initial, run.finalLoss())) return true;
        for (double[] pt : run.curve()) if (DIVERGENCE.diverged(initial, pt[1])) return true;
        return false;
    }
}
