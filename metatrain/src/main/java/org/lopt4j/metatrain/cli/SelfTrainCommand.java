package org.lopt4j.metatrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.MetricsLog;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.run.StopSignal;
import org.lopt4j.metatrain.selftrain.Generation;
import org.lopt4j.metatrain.selftrain.MemberUnitExecutor;
import org.lopt4j.metatrain.selftrain.SelfTrainCheckpoint;
import org.lopt4j.metatrain.selftrain.SelfTrainConfig;
import org.lopt4j.metatrain.selftrain.SelfTrainState;
import org.lopt4j.metatrain.selftrain.SelfTrainer;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j selftrain}: a population of randomly initialized learned optimizers that meta-train each other
 * (pbt_selftraining.md), checkpointing atomically into {@code --out} (locked for the run's life) and resuming with
 * {@code --resume}; SIGTERM or Ctrl-C ends it after the current outer step with a checkpoint. Then the best member's θ,
 * a one-screen summary, plots, and its evaluation against Adam on held-out seeds.
 */
@Command(name = "selftrain", mixinStandardHelpOptions = true,
        description = "Self-train a population of learned optimizers from random initializations (PBT; no hand-designed optimizer), then evaluate the best against Adam.")
final class SelfTrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "JSON config file; its fields are SelfTrainConfig's (fields it omits keep the defaults).") Path config;
    @Option(names = "--lopt", description = "The members' learned optimizer: small_fc_lopt (hidden 4), small_fc_lopt32, mlp_lopt, velo_small.") String lopt;
    @Option(names = "--task", description = "mlp8 (default: MLPs on 8x8 Fashion-MNIST or MNIST, embedded), mlp8_fashion_mnist (Fashion-MNIST only) or a fixed task's name.") String task;
    @Option(names = "--members", description = "Population size.") Integer members;
    @Option(names = "--outer-rule", description = "self (each member's own θ updates it), best (the best member's θ updates all) or adam (the control).") String outerRule;
    @Option(names = "--selection", description = "winner_take_all, truncation or none.") String selection;
    @Option(names = "--outer-steps", description = "Outer steps.") Integer outerSteps;
    @Option(names = "--pairs", description = "Antithetic ES pairs per member per outer step.") Integer pairs;
    @Option(names = "--sigma", description = "Initial ES standard deviation.") Double sigma;
    @Option(names = "--unroll", description = "Initial inner steps per ES unroll.") Integer unroll;
    @Option(names = "--step-mult", description = "Fixed outer step multiplier (instead of log-uniform in the config's range).") Double stepMult;
    @Option(names = "--eval-every", description = "Outer steps between evaluations.") Integer evalEvery;
    @Option(names = "--exploit-every", description = "Outer steps a generation runs before it can be replaced.") Integer exploitEvery;
    @Option(names = "--seed", description = "Run seed.") Long seed;
    @Option(names = "--init-theta", description = "Start every member from this θ (a lopt.safetensors) instead of random initializations.") Path initTheta;
    @Option(names = "--final-steps", description = "Inner steps of each final evaluation run.") Integer finalSteps;
    @Option(names = "--final-seeds", description = "Held-out seeds in the final evaluation.") Integer finalSeeds;
    @Option(names = "--checkpoint-seconds", description = "Seconds between checkpoints (0 = every outer step).") Double checkpointSeconds;
    @Option(names = "--device", description = "Backend: auto (default: the best that starts), simd, scalar, opencl, cuda.") String device;
    @Option(names = "--engine", defaultValue = "threads", description = "Where member units run: threads (a pool over the cores) or spark (default ${DEFAULT-VALUE}).") String engine;
    @Option(names = "--master", description = "Spark master for --engine spark, e.g. local[2,4] (default: what spark-submit sets).") String master;
    @Option(names = "--threads", description = "Unit threads (default: one per core).") Integer threads;
    @Option(names = "--members-per-unit", description = "Members per unit of work (default: all in one batched unit); smaller units spread over threads or Spark tasks and give the same result.") Integer membersPerUnit;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/selftrain", description = "Directory for the checkpoint, metrics.jsonl, plots, lopt.safetensors, summary.txt (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--resume", description = "Continue from the checkpoint in --out.") boolean resume;
    @Option(names = "--stop-after", defaultValue = "-1", hidden = true, description = "Stop after this many outer steps of this invocation (tests).") int stopAfter;
    @Option(names = "--no-eval", description = "Skip the final evaluation against Adam.") boolean noEval;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    SelfTrainConfig resolve() throws IOException {
        SelfTrainConfig c = config != null ? SelfTrainConfig.read(config) : SelfTrainConfig.defaults();
        return new ConfigOverrides().put("lopt", "--lopt", lopt).put("task", "--task", task).put("members", "--members", members)
                .put("outerRule", "--outer-rule", outerRule).put("selection", "--selection", selection).put("outerSteps", "--outer-steps", outerSteps)
                .put("pairs", "--pairs", pairs).put("sigma", "--sigma", sigma).put("unrollLength", "--unroll", unroll)
                .put("stepMultMin", "--step-mult", stepMult).put("stepMultMax", "--step-mult", stepMult).put("evalEvery", "--eval-every", evalEvery)
                .put("exploitEvery", "--exploit-every", exploitEvery).put("seed", "--seed", seed)
                .put("initTheta", "--init-theta", initTheta == null ? null : initTheta.toString()).put("finalSteps", "--final-steps", finalSteps)
                .put("finalSeeds", "--final-seeds", finalSeeds).put("checkpointSeconds", "--checkpoint-seconds", checkpointSeconds)
                .put("device", "--device", device).put("membersPerUnit", "--members-per-unit", membersPerUnit).applyTo(c::with);
    }

    @Override public Integer call() throws Exception {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be positive, got " + threads);
        SelfTrainConfig c = resolve();
        Backend b = SelfTrainer.backend(c);
        Path ckpt = out.resolve(SelfTrainCheckpoint.FILE);
        new SelfTrainer(c, dataDir, b, null).checkData();
        try (MemberUnitExecutor ex = Engines.members(engine, master, threads != null ? threads : Runtime.getRuntime().availableProcessors(), c, dataDir)) {
            return run(c, b, new SelfTrainer(c, dataDir, b, ckpt, ex), ckpt, ex);
        }
    }

    private int run(SelfTrainConfig c, Backend b, SelfTrainer trainer, Path ckpt, MemberUnitExecutor ex) throws Exception {
        Path metrics = out.resolve("metrics.jsonl");
        Task finalTask = noEval ? null : Tasks.byName(c.finalTask(), dataDir);
        if (finalTask != null) DataCheck.require(finalTask);
        try (RunLock lock = RunLock.acquire(out, "selftrain")) {
            if (!resume && Files.exists(ckpt)) throw new IllegalArgumentException(ckpt + " exists: pass --resume to continue it, or choose another --out");
            SelfTrainState s = resume ? SelfTrainCheckpoint.read(ckpt, trainer) : trainer.fresh();
            if (resume) System.err.printf("resuming from %s at outer step %d%n", ckpt, s.step());
            System.err.printf("self-training %d × %s (θ: %,d values) from %s: outer rule %s, %s, %d ES pairs per member, %d outer steps on %s; backend %s%n",
                    c.members(), c.lopt(), trainer.lopt().thetaLayout().paramCount(), c.initTheta().isEmpty() ? "random initializations" : c.initTheta(),
                    c.outerRule(), c.selection(), c.pairs(), c.outerSteps(), c.task(), b.name());
            int units = (c.members() + c.unitSize() - 1) / c.unitSize();
            if (units > 1) System.err.printf("%d units of ≤ %d members per step on %s%n", units, c.unitSize(), ex.describe());
            try (StopSignal stop = StopSignal.install(); MetricsLog log = resume ? MetricsLog.resume(metrics, s.step()) : MetricsLog.create(metrics);
                 ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("selftrain").setInitialMax(c.outerSteps())
                         .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().startsFrom(s.step(), java.time.Duration.ZERO).build()) {
                double[] bestValue = {Double.NaN};
                s = trainer.run(s, stopAfter, stop::requested, rep -> {
                    for (int i = 0; i < rep.metaLoss().length; i++) log.append(row(rep, i));
                    if (rep.skipped() > 0) {
                        System.err.printf("%nouter step %d: %d member update(s) skipped, they would have made θ non-finite (%d skipped so far)%n",
                                rep.step(), rep.skipped(), rep.skippedUpdates());
                    }
                    for (double v : rep.value()) if (!Double.isNaN(v) && !(v >= bestValue[0])) bestValue[0] = v;
                    if (pb != null) {
                        pb.stepTo(rep.step() + 1);
                        double min = Double.POSITIVE_INFINITY;
                        for (double l : rep.metaLoss()) min = Math.min(min, l);
                        pb.setExtraMessage(String.format("meta-loss %.4f, best value %.4f", min, bestValue[0]) + (rep.skippedUpdates() > 0 ? ", skipped " + rep.skippedUpdates() : ""));
                    }
                });
                if (stop.requested()) {
                    System.err.printf("%nstopped at outer step %d: checkpoint %s; continue with --resume%n", s.step(), ckpt);
                    return 130;
                }
            }
            System.err.printf("self-training: %d outer steps in %.0f s; %d generations; NaN meta-losses replaced %d, non-finite gradient entries zeroed %d, "
                    + "member updates skipped (non-finite θ) %d; checkpoint %s%n",
                    s.step(), s.seconds(), s.lineage().size(), s.nanLosses(), s.nonFiniteGrads(), s.skippedUpdates(), ckpt);
            if (s.step() < c.outerSteps()) return 0;
            return finish(c, trainer, s, metrics, finalTask, b);
        }
    }

    /** A metrics row: member {@code i} after outer step {@code rep.step()}. */
    private static Map<String, Object> row(SelfTrainer.StepReport rep, int i) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", rep.step());
        row.put("member", i);
        row.put("generation", rep.generation()[i]);
        row.put("meta_loss", rep.metaLoss()[i]);
        if (!Double.isNaN(rep.value()[i])) row.put("value", rep.value()[i]);
        if (rep.exploitSource() != null && rep.exploitSource()[i] >= 0) row.put("copied_from", rep.exploitSource()[i]);
        row.put("step_mult", rep.hyper()[i].stepMult());
        row.put("sigma", rep.hyper()[i].sigma());
        row.put("unroll", rep.hyper()[i].unrollLength());
        row.put("task", rep.task());
        row.put("seconds", rep.wallSeconds());
        return row;
    }

    /** A finished run's outputs: θ and the summary (printed, then written), the plots, then the evaluations against Adam. */
    private int finish(SelfTrainConfig c, SelfTrainer trainer, SelfTrainState s, Path metrics, Task finalTask, Backend b) throws IOException {
        Report rep = Report.read(metrics);
        int best = s.best() >= 0 ? s.best() : 0;
        double[] theta = s.members()[best].theta();
        Path thetaFile = out.resolve("lopt.safetensors");
        Slab th = Slab.zeros(b, DType.F32, trainer.lopt().thetaLayout());
        th.flat().assign(Tensor.of(b, theta, theta.length).to(DType.F32));
        LearnedCheckpoint.save(thetaFile, trainer.lopt(), th, null);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n== self-training: %d × %s, outer rule %s, %s, %d outer steps on %s (%.0f s) ==%n", c.members(), c.lopt(),
                c.outerRule(), c.selection(), s.step(), c.task(), s.seconds()));
        sb.append(rep.table());
        sb.append(String.format("best member: slot %d, generation %d, value %.4f, step multiplier %.3g, σ %.3g, unroll %d%n", best,
                s.members()[best].generation(), s.members()[best].value(), s.members()[best].hyper().stepMult(), s.members()[best].hyper().sigma(),
                s.members()[best].hyper().unrollLength()));
        if (s.skippedUpdates() > 0) sb.append(String.format("member updates skipped because they would have made θ non-finite: %d%n", s.skippedUpdates()));
        sb.append("θ: ").append(thetaFile).append(" (use it with `lopt4j train --optimizer ").append(c.lopt()).append(" --lopt-checkpoint ").append(thetaFile).append("`)\n");
        sb.append("plots: ").append(out.resolve("metaloss.png")).append(", ").append(out.resolve("lineage.png")).append('\n');
        System.out.print(sb);
        System.out.flush();
        AtomicFiles.writeString(out.resolve("selftrain-summary.txt"), sb.toString());
        Plots.losses(out.resolve("metaloss.png"), "self-training: best member (held-out evaluation) and lowest ES meta-loss", rep.series());
        List<int[]> gens = new ArrayList<>();
        for (Generation g : s.lineage()) gens.add(new int[] {g.id(), g.slot(), g.parent(), g.startStep()});
        Plots.lineage(out.resolve("lineage.png"), "lineage: " + c.members() + " slots, " + s.lineage().size()
                + " generations; the best member's ancestry in red", gens, s.step(), s.members()[best].generation());
        if (finalTask == null) return 0;
        EvalReport.evaluateAndReport(trainer.lopt(), finalTask, b, theta, out, c.finalSteps(), c.finalSeeds(), 1e-3, System.out);
        Task heldOut = trainer.heldOutTask();
        if (heldOut != null) {
            EvalReport.evaluateAndReport(trainer.lopt(), heldOut, b, theta, out.resolve("eval-family"), c.finalSteps(), c.finalSeeds(), 1e-3, System.out);
        }
        return 0;
    }

    /** What metrics.jsonl says of a run: per step the lowest ES meta-loss, per evaluation the lowest value. */
    record Report(TreeMap<Integer, Double> minMetaLoss, TreeMap<Integer, Double> bestValue) {
        static Report read(Path metrics) throws IOException {
            ObjectMapper json = new ObjectMapper();
            TreeMap<Integer, Double> loss = new TreeMap<>(), value = new TreeMap<>();
            for (String line : Files.readAllLines(metrics)) {
                if (line.isBlank()) continue;
                JsonNode r = json.readTree(line);
                int step = r.get("step").asInt();
                loss.merge(step, r.get("meta_loss").asDouble(), Math::min);
                if (r.has("value")) value.merge(step, r.get("value").asDouble(), Math::min);
            }
            return new Report(loss, value);
        }

        Map<String, List<double[]>> series() {
            Map<String, List<double[]>> m = new LinkedHashMap<>();
            List<double[]> v = new ArrayList<>(), l = new ArrayList<>();
            bestValue.forEach((k, x) -> v.add(new double[] {k + 1, x}));
            minMetaLoss.forEach((k, x) -> l.add(new double[] {k + 1, x}));
            if (!v.isEmpty()) m.put("best member's held-out value", v);
            m.put("lowest ES meta-loss of the step", l);
            return m;
        }

        /** The best value at ten evenly spaced evaluations, so the curve's shape reads on one screen. */
        String table() {
            StringBuilder sb = new StringBuilder(String.format("%-12s %s%n", "outer step", "best held-out value"));
            List<Map.Entry<Integer, Double>> e = new ArrayList<>(bestValue.entrySet());
            int shown = Math.min(10, e.size());
            for (int k = 0; k < shown; k++) {
                var x = e.get(shown == 1 ? e.size() - 1 : (int) Math.round((double) k * (e.size() - 1) / (shown - 1)));
                sb.append(String.format("%-12d %.4f%n", x.getKey() + 1, x.getValue()));
            }
            return sb.toString();
        }
    }
}
