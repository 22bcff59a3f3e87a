package org.lopt4j.metatrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.metatrain.outer.AdamEnvelope;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.Comparison;
import org.lopt4j.metatrain.train.Comparison.Run;
import org.lopt4j.metatrain.train.RunCache;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j suite}: a learned optimizer on a fixed suite of held-out tasks, each against Adam at the best of a
 * learning-rate grid on the same seeds, with tasks.md §6's speedup over the measured Adam envelope. Results are kept
 * per task in {@code suite.json}, so {@code --resume} goes on after the last finished task.
 */
@Command(name = "suite", mixinStandardHelpOptions = true,
        description = {"Run a learned optimizer on a suite of held-out tasks against Adam tuned per task; report per task the final score, the speedup over Adam (tasks.md §6) and the count of tasks where it beats tuned Adam.",
                "Score: the training loss averaged over the last 10%% of the steps, then over seeds. Speedup: the steps the Adam envelope (the best of the grid at each step, EMA-smoothed) needs to reach the learned run's final smoothed loss, divided by the run's steps."})
final class SuiteCommand implements Callable<Integer> {
    /**
     * The held-out suite: none of its tasks is the shipped θ's meta-training task (ImageMLP_FashionMnist8_Relu32). An
     * MLP at another resolution, a conv net, an autoencoder, the LSTM and transformer char-LMs (embedded data), and a
     * 28×28 MNIST MLP (needs --data-dir; skipped without it).
     */
    static final List<String> HELDOUT = List.of("ImageMLP_FashionMnist16_Relu32", "Conv_FashionMnist8_16x32", "ImageMLPAE_FashionMnist8_32x8x32",
            "RNNLM_TinyShakespeare_LSTM64_Seq32", "TransformerLM_TinyShakespeare_2L64_Seq32", "ImageMLP_Mnist_128x128x128_Relu");

    @Option(names = "--optimizer", defaultValue = "small_fc_lopt", description = "The learned optimizer, or a shipped θ by name: small_fc_lopt_general, velo_small_general (default ${DEFAULT-VALUE}, θ shipped).") String optimizer;
    @Option(names = "--lopt-checkpoint", description = "Its θ, in any format `train --lopt-checkpoint` takes (default: the shipped θ).") Path loptCheckpoint;
    @Option(names = "--fan-in-reference", description = "small_fc_lopt: scale each weight's step by min(1, sqrt(N / its fan-in)), as `train --fan-in-reference` (default: off).") Double fanInReference;
    @Option(names = "--fan-in-matrices-only", description = "With --fan-in-reference: scale matrices only (rank 2), leaving conv kernels at the θ's own step.") boolean fanInMatricesOnly;
    @Option(names = "--fan-in-linear", description = "With --fan-in-reference: scale by min(1, N / its fan-in), μP's rule for Adam-like steps, instead of the square root.") boolean fanInLinear;
    @Option(names = "--tasks", split = ",", description = "Comma-separated tasks (default: the held-out suite): fixed tasks or family samples FAMILY#KEY, as `lopt4j tasks` lists them.") List<String> tasks;
    @Option(names = "--steps", defaultValue = "300", description = "Steps per run (default ${DEFAULT-VALUE}: the suite in about 12 minutes on 2 cores; RESULTS.md runs 2000).") int steps;
    @Option(names = "--seeds", defaultValue = "3", description = "Held-out seeds, run as one batched model (default ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--seed", defaultValue = "1000", description = "First key of the held-out seeds (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--lr-grid", defaultValue = "1e-4:1e-1:7", description = "LO:HI:COUNT, log-spaced Adam learning rates (default ${DEFAULT-VALUE}).") String lrGrid;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX): runs the 28×28 task too.") Path dataDir;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: auto, simd, scalar, opencl, cuda (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--out", defaultValue = "runs/suite", description = "Directory for suite.json, summary.txt and the plots (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--resume", description = "Keep the finished tasks of suite.json in --out and run the rest.") boolean resume;
    @Option(names = "--adam-cache", defaultValue = "runs/adam-cache", description = "Directory that keeps the Adam runs for reuse by later suites with the same data, steps, seeds and backend (default ${DEFAULT-VALUE}); 'none' = no cache.") String adamCache;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override public Integer call() throws Exception {
        if ((fanInMatricesOnly || fanInLinear) && fanInReference == null) throw new IllegalArgumentException("--fan-in-matrices-only and --fan-in-linear go with --fan-in-reference N");
        if (steps < 10) throw new IllegalArgumentException("--steps must be at least 10, got " + steps);
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be positive, got " + seeds);
        double[] lrs = CompareCommand.grid(lrGrid);
        List<String> names = tasks == null ? HELDOUT : tasks;
        for (String n : names) if (!Tasks.exists(n)) throw new IllegalArgumentException("unknown task '" + n + "'; see `lopt4j tasks` (a family's sample: FAMILY#KEY)");
        Optimizer<?> learned = LearnedOption.of(optimizer, loptCheckpoint, seeds, fanInReference == null ? UpdateOptions.NONE : new UpdateOptions(1, 0, 0, fanInReference, fanInMatricesOnly, fanInLinear));
        Backend b = device.equals("auto") ? Backends.best() : Backends.named(device);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("optimizer", optimizer);
        config.put("theta", loptCheckpoint == null ? "shipped" : loptCheckpoint.toString());
        if (fanInReference != null) config.put("fanInReference", fanInReference);
        if (fanInMatricesOnly) config.put("fanInMatricesOnly", true);
        if (fanInLinear) config.put("fanInLinear", true);
        config.put("steps", steps);
        config.put("seeds", seeds);
        config.put("first_seed", seed);
        config.put("adam_lrs", lrs);
        Path file = out.resolve("suite.json");
        try (RunLock lock = RunLock.acquire(out, "suite")) {
            Map<String, JsonNode> done = new LinkedHashMap<>();
            if (Files.exists(file)) {
                if (!resume) throw new IllegalArgumentException(file + " exists: pass --resume to go on with it, or choose another --out");
                JsonNode old = new ObjectMapper().readTree(file.toFile()), now = new ObjectMapper().readTree(JSON.writeValueAsString(config));
                if (!now.equals(old.get("config"))) throw new IllegalArgumentException(file + " was made with " + old.get("config") + "; this run is " + now);
                for (JsonNode r : old.get("tasks")) done.put(r.get("task").asText(), r);
            }
            System.err.printf("suite: %s on %d task(s), %d steps, %d held-out seeds, Adam at %d learning rates %s; backend %s%n", learned.describe(),
                    names.size(), steps, seeds, lrs.length, Arrays.toString(lrs), b.name());
            List<JsonNode> rows = new ArrayList<>();
            try (ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("suite").setInitialMax((long) names.size() * (1 + lrs.length))
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build()) {
                for (String name : names) {
                    JsonNode row = done.get(name);
                    if (row == null) {
                        row = JSON.valueToTree(runTask(name, learned, lrs, b, pb));
                        rows.add(row);
                        write(file, config, rows, done);
                    } else {
                        rows.add(row);
                        if (pb != null) pb.stepBy(1 + lrs.length);
                    }
                }
            }
            summary(rows);
        }
        return 0;
    }

    private void write(Path file, Map<String, Object> config, List<JsonNode> rows, Map<String, JsonNode> done) throws java.io.IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("config", config);
        json.put("score", "train loss averaged over the last " + Comparison.TAIL_PERCENT + "% of the steps, then over seeds");
        json.put("speedup", "tasks.md §6 against the envelope of the Adam runs here (EMA 0.95, best of the grid at each step, running minimum)");
        List<JsonNode> all = new ArrayList<>(rows);
        for (var e : done.entrySet()) if (rows.stream().noneMatch(r -> r.get("task").asText().equals(e.getKey()))) all.add(e.getValue());
        json.put("tasks", all);
        byte[] bytes = JSON.writeValueAsBytes(json);
        AtomicFiles.write(file, o -> o.write(bytes));
    }

    /** One task: the learned run, Adam over the grid, the verdict and the speedup; a task without its data is skipped. */
    private Map<String, Object> runTask(String name, Optimizer<?> learned, double[] lrs, Backend b, ProgressBar pb) throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("task", name);
        Task t;
        try {
            t = Tasks.byName(name, dataDir);
            DataCheck.require(t);
        } catch (IllegalArgumentException | java.io.IOException e) {
            row.put("skipped", e.getMessage());
            if (pb != null) pb.stepBy(1 + lrs.length);
            return row;
        }
        long t0 = System.nanoTime();
        Run mine = Comparison.run(t, learned, steps, seed, seeds, b, null);
        if (pb != null) pb.step();
        List<Run> adam = new ArrayList<>();
        RunCache cache = new RunCache(adamCache.equals("none") ? null : Path.of(adamCache));
        Task task = t;
        for (double lr : lrs) {
            adam.add(cache.get(name, RunCache.data(dataDir), "adam", lr, steps, seeds, seed, b.name(), () -> Comparison.run(task, OptimizerOption.of("adam", lr), steps, seed, seeds, b, null)));
            if (pb != null) pb.step();
        }
        int best = Comparison.best(adam);
        row.put("learned_score", finite(mine.score()));
        row.put("learned_test_loss", finite(mine.testLoss()));
        row.put("learned_diverged", mine.diverged());
        row.put("adam_scores", adam.stream().map(r -> finite(r.score())).toList());
        row.put("adam_best_lr", best < 0 ? null : lrs[best]);
        row.put("adam_best_score", best < 0 ? null : finite(adam.get(best).score()));
        row.put("adam_grid_edge", best == 0 || best == lrs.length - 1);
        List<double[]> finiteCurves = adam.stream().filter(r -> !r.diverged()).map(Run::curve).toList();
        if (!mine.diverged() && !finiteCurves.isEmpty()) {
            AdamEnvelope env = AdamEnvelope.fromCurves(finiteCurves);
            double[] smooth = AdamEnvelope.smoothed(mine.curve());
            double last = smooth[smooth.length - 1];
            row.put("speedup", env.speedup(last, steps));
            row.put("speedup_at_least", env.beyond(last));
        }
        row.put("beats_tuned_adam", !mine.diverged() && best >= 0 && mine.score() < adam.get(best).score());
        row.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        curves.put(optimizer, Comparison.thinned(mine.curve(), Math.max(1, steps / 200)));
        if (best >= 0) curves.put("adam lr " + String.format("%.3g", lrs[best]), Comparison.thinned(adam.get(best).curve(), Math.max(1, steps / 200)));
        Plots.losses(out.resolve("suite-" + name + ".png"), name + ", " + steps + " steps, mean of " + seeds + " seeds", curves);
        return row;
    }

    private static Double finite(double v) { return Double.isFinite(v) ? v : null; }

    /** The one-screen table, the count of wins and the speedup plot. */
    private void summary(List<JsonNode> rows) throws java.io.IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(text, true, StandardCharsets.UTF_8);
        p.printf("%n== suite: %s against Adam tuned per task (best of its grid), %d steps, %d held-out seeds ==%n", optimizer, steps, seeds);
        p.printf("%-42s %10s %10s %9s %9s  %s%n", "task", optimizer.length() > 10 ? "learned" : optimizer, "Adam", "Adam lr", "speedup", "verdict");
        int ran = 0, wins = 0, diverged = 0;
        List<String> cats = new ArrayList<>();
        List<Double> speed = new ArrayList<>();
        for (JsonNode r : rows) {
            String task = r.get("task").asText();
            if (r.has("skipped")) {
                p.printf("%-42s skipped: %s%n", task, r.get("skipped").asText());
                continue;
            }
            ran++;
            boolean div = r.get("learned_diverged").asBoolean(), win = r.get("beats_tuned_adam").asBoolean();
            if (div) diverged++;
            if (win) wins++;
            String sp = r.hasNonNull("speedup") ? String.format("%s%.2fx", r.get("speedup_at_least").asBoolean() ? "≥" : "", r.get("speedup").asDouble()) : "-";
            p.printf("%-42s %10s %10s %9s %9s  %s%s%n", task, num(r.get("learned_score")), num(r.get("adam_best_score")),
                    r.hasNonNull("adam_best_lr") ? String.format("%.3g", r.get("adam_best_lr").asDouble()) : "-", sp,
                    div ? "diverged" : win ? "beats tuned Adam" : "loses to tuned Adam", r.get("adam_grid_edge").asBoolean() ? " (Adam's best lr at the grid edge)" : "");
            if (r.hasNonNull("speedup")) {
                cats.add(task.length() > 28 ? task.substring(0, 28) : task);
                speed.add(r.get("speedup").asDouble());
            }
        }
        double secs = 0;
        for (JsonNode r : rows) if (r.has("seconds")) secs += r.get("seconds").asDouble();
        p.printf("%s beats tuned Adam on %d of %d task(s); diverged on %d; %.0f s of training%n", optimizer, wins, ran, diverged, secs);
        p.printf("results: %s; plots: %s, %s%n", out.resolve("suite.json"), out.resolve("suite.png"), out.resolve("suite-<task>.png"));
        AtomicFiles.writeString(out.resolve("summary.txt"), text.toString(StandardCharsets.UTF_8));
        System.out.print(text.toString(StandardCharsets.UTF_8));
        if (!cats.isEmpty()) Plots.bars(out.resolve("suite.png"), optimizer + ": speedup over tuned Adam, " + steps + " steps", "speedup", cats, speed, 1.0);
    }

    private static String num(JsonNode v) { return v == null || v.isNull() ? "diverged" : String.format("%.4f", v.asDouble()); }
}
