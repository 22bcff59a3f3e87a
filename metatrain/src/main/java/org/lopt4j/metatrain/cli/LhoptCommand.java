package org.lopt4j.metatrain.cli;

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
import org.lopt4j.metatrain.rl.EpisodeExecutor;
import org.lopt4j.metatrain.rl.LhoptConfig;
import org.lopt4j.metatrain.rl.LhoptOptimizer;
import org.lopt4j.metatrain.rl.LhoptTrainer;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.MetricsLog;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.run.StopSignal;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.tensor.cpu.ScalarBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j lhopt}: LHOPT (lhopt.md), a PPO-trained policy that sets CIAO's hyperparameters while a model trains. */
@Command(name = "lhopt", mixinStandardHelpOptions = true, subcommands = {LhoptCommand.Train.class, LhoptCommand.Eval.class},
        description = "LHOPT: train a policy (PPO, LayerNorm-LSTM) that sets CIAO's hyperparameters; use it with `lopt4j train --optimizer lhopt --policy FILE`.")
final class LhoptCommand implements Runnable {
    @Override public void run() { new picocli.CommandLine(this).usage(System.err); }

    /** {@code lopt4j lhopt train}. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train an LHOPT policy with PPO on episodes of CIAO training noisy quadratics and 8x8 image MLPs, rewarded against an Adam baseline.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", description = "JSON config; fields of LhoptConfig (omitted ones keep the defaults).") Path config;
        @Option(names = "--iterations", description = "PPO iterations.") Integer iterations;
        @Option(names = "--episodes", description = "Episodes per iteration.") Integer episodes;
        @Option(names = "--seed", description = "Run seed.") Long seed;
        @Option(names = "--actors", description = "Episodes played at once on as many threads (default 1: one after another, the normalizer following each observation; any N > 1 gives the same run as every other N > 1).") Integer actors;
        @Option(names = "--engine", defaultValue = "threads", description = "Where episodes play when they play at once: threads (--actors of them) or spark, one Spark task per episode, the run of any --actors N > 1 (default ${DEFAULT-VALUE}).") String engine;
        @Option(names = "--master", description = "Spark master for --engine spark, e.g. local[2] (default: what spark-submit sets).") String master;
        @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
        @Option(names = "--out", defaultValue = "runs/lhopt", description = "Directory for lhopt.safetensors (checkpoint and policy), metrics.jsonl, plots, summary (default ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--resume", description = "Continue the checkpoint in --out.") boolean resume;
        @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

        @Override public Integer call() throws Exception {
            LhoptConfig c = config != null ? LhoptConfig.read(config) : LhoptConfig.defaults();
            c = new ConfigOverrides().put("iterations", "--iterations", iterations).put("episodes", "--episodes", episodes).put("seed", "--seed", seed).put("actors", "--actors", actors).applyTo(c::with);
            if (!List.of("threads", "spark").contains(engine)) throw new IllegalArgumentException("unknown --engine '" + engine + "'; known: threads, spark");
            if (engine.equals("spark") && c.actors() == 1) c = c.with(Map.of("actors", 2));   // Spark plays an iteration's episodes at once
            LhoptTrainer t = new LhoptTrainer(c, dataDir);
            Path ckpt = out.resolve(LhoptTrainer.FILE), metrics = out.resolve("metrics.jsonl");
            try (RunLock lock = RunLock.acquire(out, "lhopt train"); EpisodeExecutor actors = c.actors() > 1 ? Engines.episodes(engine, master, c, dataDir) : null) {
                if (!resume && Files.exists(ckpt)) throw new IllegalArgumentException(ckpt + " exists: pass --resume to continue it, or choose another --out");
                if (resume) t.read(ckpt);
                System.err.printf("lhopt: %d iterations x %d episodes of %d x %d CIAO steps on %s, policy width %d, %s%s%n", c.iterations(), c.episodes(),
                        c.outerSteps(), c.innerSteps(), c.tasks(), c.hidden(), actors == null ? "one episode at a time" : "episodes on " + actors.describe(), resume ? ", resuming at iteration " + t.iteration() : "");
                List<double[]> rewards = new ArrayList<>(), lr = new ArrayList<>();
                try (StopSignal stop = StopSignal.install(); MetricsLog log = resume ? MetricsLog.resume(metrics, t.iteration()) : MetricsLog.create(metrics);
                     ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("lhopt").setInitialMax(c.iterations()).setStyle(ProgressBarStyle.ASCII)
                             .setUpdateIntervalMillis(500).continuousUpdate().startsFrom(t.iteration(), java.time.Duration.ZERO).build()) {
                    t.run(-1, stop::requested, ckpt, actors, r -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("step", r.iteration());
                        row.put("mean_reward", r.meanReward());
                        row.put("lr_log_ratio", r.lrLogRatio());
                        row.put("policy_loss", r.stats().policyLoss());
                        row.put("value_loss", r.stats().valueLoss());
                        row.put("entropy", r.stats().entropy());
                        row.put("seconds", r.seconds());
                        log.append(row);
                        if (pb != null) {
                            pb.stepTo(r.iteration() + 1);
                            pb.setExtraMessage(String.format("reward %.3f", r.meanReward()));
                        }
                    });
                    if (stop.requested()) {
                        System.err.printf("%nstopped at iteration %d: checkpoint %s; continue with --resume%n", t.iteration(), ckpt);
                        return 130;
                    }
                }
                for (String line : Files.readAllLines(metrics)) {
                    var row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                    rewards.add(new double[] {row.get("step").asDouble(), row.get("mean_reward").asDouble()});
                    lr.add(new double[] {row.get("step").asDouble(), row.get("lr_log_ratio").asDouble()});
                }
                double[] schedule = schedule(ckpt);
                StringBuilder sb = new StringBuilder(String.format("%n== lhopt: %d iterations of %d episodes ==%n", t.iteration(), c.episodes()));
                int n = rewards.size(), tail = Math.max(1, n / 10);
                double head = 0, end = 0;
                for (int i = 0; i < tail; i++) { head += rewards.get(i)[1] / tail; end += rewards.get(n - 1 - i)[1] / tail; }
                sb.append(String.format("mean episode reward: first %d iterations %.3f, last %d %.3f (reward: log of the Adam-baseline steps the loss is worth per step taken, clipped to ±3)%n",
                        tail, head, tail, end));
                sb.append(String.format("greedy policy on a held-out ImageMLP_FashionMnist8_Relu32 run: lr from %.2g to %.2g over %d steps%n", schedule[0],
                        schedule[schedule.length - 1], schedule.length));
                sb.append("policy: ").append(ckpt).append(" (use it with `lopt4j train --optimizer lhopt --policy ").append(ckpt).append("`)\n");
                sb.append("plots: ").append(out.resolve("reward.png")).append(", ").append(out.resolve("schedule.png")).append('\n');
                System.out.print(sb);
                AtomicFiles.writeString(out.resolve("summary.txt"), sb.toString());
                Plots.curves(out.resolve("reward.png"), "LHOPT: mean episode reward per PPO iteration", "reward", Map.of("mean reward", rewards), false);
                List<double[]> pts = new ArrayList<>();
                for (int s = 0; s < schedule.length; s++) pts.add(new double[] {s, schedule[s]});
                Plots.curves(out.resolve("schedule.png"), "LHOPT: CIAO's learning rate under the greedy policy (held-out task)", "lr", Map.of("lr", pts), true);
                return 0;
            }
        }

        /** CIAO's lr at each step of a 256-step run of the trained policy on a held-out image MLP seed. */
        static double[] schedule(Path policy) throws java.io.IOException {
            LhoptOptimizer opt = LhoptOptimizer.load(policy);
            Task task = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
            int steps = 256;
            double[] lr = new double[steps];
            InnerTrainer.train(task, opt, steps, 4242, 1, ScalarBackend.INSTANCE, null, () -> false,
                    (LhoptOptimizer.State s) -> lr[Math.min(steps - 1, s.step() - 1)] = s.now().lr());
            return lr;
        }
    }

    /** {@code lopt4j lhopt eval}: a policy against AdamW at 5 learning rates × 7 schedules on held-out seeds (lhopt.md §8). */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate an LHOPT policy on a task against AdamW at 5 learning rates x 7 schedules (constant, multi-step, linear, quadratic, exponential, cosine to 0, cosine to 0.1) on the same held-out seeds.")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--policy", required = true, description = "lhopt.safetensors from `lopt4j lhopt train`.") Path policy;
        @Option(names = "--task", defaultValue = "ImageMLP_FashionMnist16_Relu32", description = "Task (default ${DEFAULT-VALUE}: not in the training mix).") String task;
        @Option(names = "--steps", defaultValue = "512", description = "Steps per run (default ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--seeds", defaultValue = "3", description = "Held-out seeds (default ${DEFAULT-VALUE}).") int seeds;
        @Option(names = "--seed", defaultValue = "7000", description = "First held-out seed (default ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
        @Option(names = "--out", defaultValue = "runs/lhopt-eval", description = "Directory for lhopt-eval.json, summary.txt and plots (default ${DEFAULT-VALUE}).") Path out;

        @Override public Integer call() throws Exception {
            if (steps < 16 || seeds < 1) throw new IllegalArgumentException("--steps must be at least 16 and --seeds positive");
            LhoptOptimizer opt = LhoptOptimizer.load(policy);
            Task t = Tasks.byName(task, dataDir);
            org.lopt4j.metatrain.task.DataCheck.require(t);
            try (RunLock lock = RunLock.acquire(out, "lhopt eval")) {
                System.err.printf("lhopt eval: %s, %d steps, %d seeds, against AdamW at %d learning rates x %d schedules%n", t.name(), steps, seeds,
                        org.lopt4j.metatrain.rl.LhoptEval.LRS.length, org.lopt4j.metatrain.rl.LhoptEval.SCHEDULES.length);
                var r = org.lopt4j.metatrain.rl.LhoptEval.evaluate(opt, t, steps, seeds, seed, ScalarBackend.INSTANCE);
                StringBuilder sb = new StringBuilder(String.format("%n== lhopt eval: %s, %d steps, %d held-out seeds (score: train loss over the last 10%%) ==%n", t.name(), steps, seeds));
                sb.append(String.format("%-34s %10s%n", "optimizer", "score"));
                sb.append(String.format("%-34s %10.4f%n", "lhopt (CIAO under the policy)", r.lhopt().score()));
                sb.append(String.format("%-34s %10.4f%n", "best of the 35 AdamW runs: " + r.bestGrid().label(), r.bestGrid().score()));
                sb.append(String.format("%-34s %10.4f%n", "best constant AdamW: " + r.bestConstant().label(), r.bestConstant().score()));
                sb.append(String.format("speedup (steps the best baseline needs for lhopt's final loss / %d): %s%.2fx over the grid's best, %s%.2fx over constant AdamW%n",
                        steps, r.gridNeverReached() ? "≥" : "", r.speedupOverGrid(), r.constantNeverReached() ? "≥" : "", r.speedupOverConstant()));
                sb.append("plots: ").append(out.resolve("curves.png")).append(", ").append(out.resolve("lr.png")).append('\n');
                System.out.print(sb);
                AtomicFiles.writeString(out.resolve("summary.txt"), sb.toString());
                byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(org.lopt4j.metatrain.rl.LhoptEval.json(r));
                AtomicFiles.write(out.resolve("lhopt-eval.json"), o -> o.write(json));
                Map<String, List<double[]>> curves = new LinkedHashMap<>(), lrs = new LinkedHashMap<>();
                for (var run : List.of(r.lhopt(), r.bestGrid(), r.bestConstant())) {
                    curves.put(run.label(), org.lopt4j.metatrain.train.Comparison.thinned(run.curve(), Math.max(1, steps / 200)));
                    List<double[]> pts = new ArrayList<>();
                    for (int s = 0; s < steps; s++) pts.add(new double[] {s, run.lr()[s]});
                    lrs.put(run.label(), pts);
                }
                Plots.losses(out.resolve("curves.png"), t.name() + ": lhopt against AdamW, mean of " + seeds + " seeds", curves);
                Plots.curves(out.resolve("lr.png"), t.name() + ": learning rate per step", "lr", lrs, true);
            }
            return 0;
        }
    }
}
