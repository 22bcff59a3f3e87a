package org.lopt4j.metatrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.FineTuneTask;
import org.lopt4j.metatrain.task.PretrainedConv;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.Comparison;
import org.lopt4j.metatrain.train.Comparison.Run;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.cpu.ScalarBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j compare}: a learned optimizer against hand-designed ones, each tuned over a learning-rate grid, on
 * held-out seeds at several training lengths (narrowing_l3rs.md §5: at the meta-training horizon and beyond it).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare a learned optimizer with hand-designed baselines, each at the best learning rate of a grid, on held-out seeds at several training lengths.",
                "Score: the training loss averaged over the last 10%% of the steps, then over seeds; the test loss of the trained nets beside it."})
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "Task name, or a family's sample FAMILY#KEY (see `lopt4j tasks`).") String task;
    @Option(names = "--optimizer", description = "A learned optimizer: " + "small_fc_lopt, small_fc_lopt32, mlp_lopt, velo, velo_small, l3rs, celo2, elo_celo2 (needs --lopt-checkpoint except small_fc_lopt), or a shipped θ by name: small_fc_lopt_general, velo_small_general.") String optimizer;
    @Option(names = "--lopt-checkpoint", description = "θ of the learned optimizer (lopt.safetensors from `lopt4j metatrain`).") Path loptCheckpoint;
    @Option(names = "--fresh-theta", description = "Run the learned optimizer with its meta-training initialization (what meta-training starts from) instead of a θ file.") boolean freshTheta;
    @Option(names = "--steps", defaultValue = "200,400,800", split = ",", description = "Training lengths (default ${DEFAULT-VALUE}).") int[] steps;
    @Option(names = "--baselines", defaultValue = "adam,momentum", split = ",", description = "Hand-designed optimizers, or none (default ${DEFAULT-VALUE}; see `lopt4j train --help`).") String[] baselines;
    @Option(names = "--body", description = "For the FineTune_* tasks: a pretrained body from `lopt4j pretrain` in place of the shipped one.") Path body;
    @Option(names = "--lr-grid", defaultValue = "1e-3:1:7", description = "LO:HI:COUNT, log-spaced learning rates tried for each baseline (default ${DEFAULT-VALUE}).") String lrGrid;
    @Option(names = "--seeds", defaultValue = "5", description = "Held-out seeds, run as one batched model (default ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--seed", defaultValue = "1000", description = "First key of the held-out seeds (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: auto, simd, scalar, opencl, cuda (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--out", defaultValue = "runs/compare", description = "Directory for compare.json, summary.txt and the plots (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    @Override public Integer call() throws Exception {
        double[] lrs = grid(lrGrid);
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be positive, got " + seeds);
        for (int s : steps) if (s < 1) throw new IllegalArgumentException("--steps must be positive, got " + s);
        if (baselines.length == 1 && baselines[0].equals("none")) baselines = new String[0];
        for (String b : baselines) OptimizerOption.of(b, 1e-3);                       // an unknown name fails before any work
        if (optimizer == null && baselines.length == 0) throw new IllegalArgumentException("nothing to compare: give --optimizer or some --baselines");
        if (optimizer != null && !LearnedOption.isLearned(optimizer)) throw new IllegalArgumentException("--optimizer must be a learned optimizer, got '" + optimizer + "'");
        Task t = Tasks.byName(task, dataDir);
        if (body != null) {
            if (!(t instanceof FineTuneTask ft)) throw new IllegalArgumentException("--body applies to the FineTune_* tasks, not " + task);
            t = ft.withBody(task + " [body " + body.getFileName() + "]", PretrainedConv.read(body));
        }
        DataCheck.require(t);
        if (freshTheta && (optimizer == null || loptCheckpoint != null)) throw new IllegalArgumentException("--fresh-theta needs --optimizer and no --lopt-checkpoint");
        Optimizer<?> learned = optimizer == null ? null : freshTheta ? fresh(LearnedOptimizers.named(Pretrained.optimizerOf(optimizer))) : LearnedOption.of(optimizer, loptCheckpoint, seeds);
        Backend b = device.equals("auto") ? Backends.best() : Backends.named(device);
        try (RunLock lock = RunLock.acquire(out, "compare")) {
            return compare(t, learned, b, lrs);
        }
    }

    private int compare(Task t, Optimizer<?> learned, Backend b, double[] lrs) throws Exception {
        int total = steps.length * ((learned == null ? 0 : 1) + baselines.length * lrs.length);
        System.err.printf("%s: %d length(s) %s x (%s%d baseline(s) x %d learning rates), %d held-out seeds, backend %s%n", t.name(), steps.length,
                Arrays.toString(steps), learned == null ? "" : optimizer + " + ", baselines.length, lrs.length, seeds, b.name());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("task", t.name());
        json.put("body", body == null ? null : body.toString());
        json.put("seeds", seeds);
        json.put("first_seed", seed);
        json.put("score", "train loss averaged over the last " + Comparison.TAIL_PERCENT + "% of the steps, then over seeds");
        json.put("learned", optimizer == null ? null : Map.of("optimizer", optimizer, "theta", freshTheta ? "fresh (its initialization)" : String.valueOf(loptCheckpoint)));
        json.put("lr_grid", lrs);
        List<Map<String, Object>> lengths = new ArrayList<>();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(text, true, StandardCharsets.UTF_8);
        p.printf("%n== compare: %s, %d held-out seeds (keys from %d); score = train loss over the last %d%% of the steps ==%n", t.name(), seeds, seed, Comparison.TAIL_PERCENT);
        p.printf("%-7s %-36s %-10s %10s %10s%n", "steps", "optimizer", "lr", "score", "test loss");
        try (ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("compare").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build()) {
            for (int T : steps) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("steps", T);
                Map<String, List<double[]>> curves = new LinkedHashMap<>();
                Run mine = null;
                if (learned != null) {
                    List<double[][]> schedule = new ArrayList<>();
                    mine = runLearned(t, learned, T, b, schedule);
                    if (pb != null) pb.step();
                    row.put(optimizer, runJson(mine, null));
                    curves.put(optimizer, Comparison.thinned(mine.curve(), Math.max(1, T / 200)));
                    p.printf("%-7d %-36s %-10s %10s %10s%n", T, optimizer, "-", fmt(mine.score()), fmt(mine.testLoss()));
                    if (!schedule.isEmpty() && T == steps[0]) scheduleJson(json, schedule, T, t.layout().names());
                }
                for (String name : baselines) {
                    List<Run> runs = new ArrayList<>();
                    for (double lr : lrs) {
                        runs.add(Comparison.run(t, OptimizerOption.of(name, lr), T, seed, seeds, b, null));
                        if (pb != null) pb.step();
                    }
                    int best = Comparison.best(runs);
                    List<Map<String, Object>> all = new ArrayList<>();
                    for (int i = 0; i < lrs.length; i++) all.add(runJson(runs.get(i), lrs[i]));
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("best_lr", best < 0 ? null : lrs[best]);
                    entry.put("runs", all);
                    row.put(name, entry);
                    if (best < 0) {
                        p.printf("%-7d %-36s %-10s %10s %10s%n", T, name + " (every lr diverged)", "-", "-", "-");
                        continue;
                    }
                    Run r = runs.get(best);
                    curves.put(name + " lr " + fmtLr(lrs[best]), Comparison.thinned(r.curve(), Math.max(1, T / 200)));
                    String edge = best == 0 || best == lrs.length - 1 ? " (grid edge)" : "";
                    p.printf("%-7d %-36s %-10s %10s %10s%n", T, name + " (best of " + lrs.length + ")" + edge, fmtLr(lrs[best]), fmt(r.score()), fmt(r.testLoss()));
                    if (mine != null) {
                        String verdict = mine.diverged() ? "diverged" : mine.score() < r.score() ? "beats" : "does not beat";
                        row.put(optimizer + "_vs_" + name, verdict);
                    }
                }
                lengths.add(row);
                Plots.losses(out.resolve("compare-" + T + ".png"), t.name() + ", " + T + " steps, mean of " + seeds + " seeds", curves);
            }
        }
        json.put("lengths", lengths);
        if (learned != null) {
            p.println();
            for (Map<String, Object> row : lengths) {
                for (String name : baselines) {
                    Object v = row.get(optimizer + "_vs_" + name);
                    if (v == null) continue;
                    if (v.equals("diverged")) p.printf("%d steps: %s diverged; the best-lr %s did not%n", (Integer) row.get("steps"), optimizer, name);
                    else p.printf("%d steps: %s %s the best-lr %s%n", (Integer) row.get("steps"), optimizer, v, name);
                }
            }
        }
        p.printf("plots: %s%n", out.resolve("compare-<steps>.png") + (json.containsKey("schedule") ? ", " + out.resolve("schedule.png") + ", " + out.resolve("mixture.png") : ""));
        // the results first, the plots after: a plot that cannot be written loses nothing
        AtomicFiles.writeString(out.resolve("summary.txt"), text.toString(StandardCharsets.UTF_8));
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json);
        AtomicFiles.write(out.resolve("compare.json"), o -> o.write(bytes));
        System.out.print(text.toString(StandardCharsets.UTF_8));
        if (json.get("schedule") instanceof Map<?, ?> sch) schedulePlots(sch);
        return 0;
    }

    private Optimizer<?> fresh(LearnedOptimizer<?> lo) {
        return lo.optimizer(lo.population(lo.initTheta(RandomKey.of(0), ScalarBackend.INSTANCE), seeds));
    }

    private <S extends OptState<S>> Run runLearned(Task t, Optimizer<S> opt, int steps, Backend b, List<double[][]> schedule) {
        return Comparison.run(t, opt, steps, seed, seeds, b, s -> {
            if (s instanceof L3rs.State l3) schedule.add(l3.schedule());
        });
    }

    /** L3RS's λ per layer and μ per direction of seed 0, step by step. */
    private void scheduleJson(Map<String, Object> json, List<double[][]> schedule, int steps, List<String> names) {
        int layers = schedule.get(0).length / seeds;
        Map<String, Object> sch = new LinkedHashMap<>();
        sch.put("steps", steps);
        sch.put("layers", names);
        double[][] lambda = new double[layers][schedule.size()];
        double[][][] mu = new double[layers][4][schedule.size()];
        for (int s = 0; s < schedule.size(); s++) {
            for (int l = 0; l < layers; l++) {
                lambda[l][s] = schedule.get(s)[l][0];
                for (int q = 0; q < 4; q++) mu[l][q][s] = schedule.get(s)[l][1 + q];
            }
        }
        sch.put("lambda", lambda);
        sch.put("mu", mu);
        json.put("schedule", sch);
    }

    private void schedulePlots(Map<?, ?> sch) throws java.io.IOException {
        @SuppressWarnings("unchecked") List<String> names = (List<String>) sch.get("layers");
        double[][] lambda = (double[][]) sch.get("lambda");
        double[][][] mu = (double[][][]) sch.get("mu");
        Map<String, List<double[]>> l = new LinkedHashMap<>(), m = new LinkedHashMap<>();
        for (int i = 0; i < lambda.length; i++) l.put(names.get(i), Comparison.thinned(lambda[i], 1));
        String[] dirs = {"SGD", "heavy ball", "Adam", "sign"};
        for (int q = 0; q < 4; q++) {
            double[] mean = new double[lambda[0].length];
            for (int s = 0; s < mean.length; s++) for (double[][] layer : mu) mean[s] += layer[q][s] / mu.length;
            m.put("μ " + dirs[q] + " (mean over layers)", Comparison.thinned(mean, 1));
        }
        Plots.curves(out.resolve("schedule.png"), optimizer + ": step λ per layer (seed 0)", "λ", l, true);
        Plots.curves(out.resolve("mixture.png"), optimizer + ": mixture μ of the base directions (seed 0)", "μ", m, false);
    }

    private static Map<String, Object> runJson(Run r, Double lr) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (lr != null) m.put("lr", lr);
        m.put("score", Double.isFinite(r.score()) ? r.score() : null);
        m.put("test_loss", Double.isFinite(r.testLoss()) ? r.testLoss() : null);
        m.put("diverged", r.diverged());
        return m;
    }

    static double[] grid(String spec) {
        String[] f = spec.split(":");
        try {
            if (f.length != 3) throw new NumberFormatException();
            double lo = Double.parseDouble(f[0]), hi = Double.parseDouble(f[1]);
            int n = Integer.parseInt(f[2]);
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) throw new NumberFormatException();
            return Comparison.logSpaced(lo, hi, n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--lr-grid must be LO:HI:COUNT with 0 < LO ≤ HI (e.g. 1e-3:1:7), got '" + spec + "'");
        }
    }

    private static String fmt(double v) { return Double.isFinite(v) ? String.format("%.4f", v) : "diverged"; }

    private static String fmtLr(double lr) { return String.format("%.3g", lr); }
}
