package org.lopt4j.metatrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j train}: trains a task with a hand-designed optimizer, with a progress bar, JSON-lines metrics and a PNG plot. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a task with an optimizer.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "Task name (see `lopt4j tasks`).") String task;
    @Option(names = "--optimizer", defaultValue = "adam", description = "One of: sgd, momentum, nesterov, adam, adamw, rmsprop, adafactor, lion, nadamw, or a learned optimizer (no --lr): small_fc_lopt (θ shipped), small_fc_lopt32, mlp_lopt, velo, velo_small (θ from --lopt-checkpoint) (default ${DEFAULT-VALUE}).") String optimizer;
    @Option(names = "--lopt-checkpoint", description = "θ for a learned optimizer (lopt.safetensors from `lopt4j metatrain`); default for small_fc_lopt: the shipped θ.") Path loptCheckpoint;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--steps", defaultValue = "1000", description = "Inner steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--members", defaultValue = "1", description = "Independent copies trained as one batched model (default ${DEFAULT-VALUE}).") int members;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX) and tinyshakespeare/; default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/train", description = "Output directory for metrics.jsonl and loss.png (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--log-every", defaultValue = "10", description = "Steps between metric lines (default ${DEFAULT-VALUE}).") int logEvery;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: auto (the best that starts), simd, scalar, opencl, cuda (default ${DEFAULT-VALUE}).") String device;

    @Override public Integer call() throws Exception {
        if (steps <= 0 || members <= 0 || logEvery <= 0) throw new IllegalArgumentException("--steps, --members and --log-every must be positive");
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be positive");
        Task t = Tasks.byName(task, dataDir);
        Backend b = device.equals("auto") ? Backends.best() : Backends.named(device);
        Optimizer<?> opt = LearnedOption.isLearned(optimizer) ? LearnedOption.of(optimizer, loptCheckpoint, members) : OptimizerOption.of(optimizer, lr);
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        List<double[]> curve = new ArrayList<>();
        System.err.printf("%s: %,d parameters x %d member(s), %s, backend %s%n", t.name(), t.layout().paramCount(), members, opt.describe(), b.name());
        InnerTrainer.Result r;
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("metrics.jsonl"));
             ProgressBar pb = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                     .setUpdateIntervalMillis(250).continuousUpdate().build()) {
            r = InnerTrainer.train(t, opt, steps, seed, members, b, (s, losses) -> {
                double mean = java.util.Arrays.stream(losses).average().orElse(Double.NaN);
                pb.stepTo(s + 1);
                pb.setExtraMessage(String.format("loss %.4f", mean));
                if (s % logEvery == 0 || s == steps - 1) {
                    curve.add(new double[] {s, mean});
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("step", s);
                    row.put("loss", mean);
                    row.put("member_losses", losses);
                    try { w.write(json.writeValueAsString(row)); w.newLine(); } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                }
            });
        }
        double[] test = InnerTrainer.evaluate(t, r.params(), members, t.examples(Split.TEST) > 0 ? Split.TEST : Split.TRAIN, 5, seed + 1, b);
        Plots.losses(out.resolve("loss.png"), t.name() + " / " + optimizer + (LearnedOption.isLearned(optimizer) ? "" : " lr " + lr), Map.of("train loss (mean of members)", curve));
        System.out.printf("final train loss %.5f, test loss %.5f (mean over %d member(s)); metrics %s, plot %s%n",
                java.util.Arrays.stream(r.lastLosses()).average().orElse(Double.NaN), java.util.Arrays.stream(test).average().orElse(Double.NaN),
                members, out.resolve("metrics.jsonl"), out.resolve("loss.png"));
        return 0;
    }
}
