package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.outer.AdamEnvelope;
import org.lopt4j.metatrain.outer.Evaluation;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.tensor.Backend;

/** The evaluation a meta-training run ends with (and {@code lopt4j eval} runs): curves, a PNG and a summary. */
final class EvalReport {
    /** The learning rates of the Adam sweep beside the fixed-LR comparison. */
    static final double[] SWEEP = {3e-4, 1e-3, 3e-3, 1e-2, 3e-2};

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
        Evaluation.Run best = adam.values().stream().min(java.util.Comparator.comparingDouble(Evaluation.Run::finalLoss)).orElseThrow();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        series.put(lo.label() + " (meta-trained)", lo.curve());
        series.put(fixed.label(), fixed.curve());
        if (best != fixed) series.put(best.label() + " (best of sweep)", best.curve());
        Files.createDirectories(out);
        Plots.losses(out.resolve("eval.png"), task.name() + ": held-out seeds", series);
        AdamEnvelope env = AdamEnvelope.of(task.name());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n== evaluation: %s, %d steps, %d held-out seeds (train-split loss on 5 batches, mean over seeds) ==%n",
                task.name(), steps, seeds));
        sb.append(String.format("%-28s %12s %14s%n", "optimizer", "final loss", env == null ? "" : "speedup/Adam*"));
        List<Evaluation.Run> rows = new java.util.ArrayList<>(List.of(lo));
        rows.addAll(adam.values());
        if (!adam.containsKey(adamLr)) rows.add(fixed);
        for (Evaluation.Run run : rows) {
            sb.append(String.format("%-28s %12.4f %14s%n", run.label(), run.finalLoss(),
                    env == null ? "" : String.format("%.3f", env.speedup(run.finalLoss(), steps))));
        }
        boolean beats = lo.finalLoss() < fixed.finalLoss();
        sb.append(String.format("%s %s Adam lr %g at %d steps (%.4f vs %.4f); best Adam of the sweep: %s (%.4f)%n",
                lopt.name(), beats ? "BEATS" : "does not beat", adamLr, steps, lo.finalLoss(), fixed.finalLoss(), best.label(), best.finalLoss()));
        if (env != null) sb.append("* speedup over tasks.md's LR-tuned Adam envelope, interpolated between its few listed points (coarse)\n");
        sb.append("plot: ").append(out.resolve("eval.png")).append('\n');
        Files.writeString(out.resolve("summary.txt"), sb.toString());
        p.print(sb);
    }
}
