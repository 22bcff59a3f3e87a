package org.lopt4j.metatrain.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.MetaState;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.MixtureEstimator;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.TaskMixture;
import org.lopt4j.metatrain.outer.UnitExecutor;
import org.lopt4j.metatrain.run.MetricsLog;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.run.StopSignal;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j metatrain}: meta-trains a learned optimizer (with no arguments, the README's main job), checkpointing
 * atomically into {@code --out} (locked for the run's life) and resuming from it with {@code --resume}; SIGTERM or
 * Ctrl-C ends it after the current outer step with a checkpoint. Then evaluates it against Adam on held-out seeds with
 * a one-screen summary and a plot.
 */
@Command(name = "metatrain", mixinStandardHelpOptions = true,
        description = "Meta-train a learned optimizer (defaults: small_fc_lopt, PES, ImageMLP_FashionMnist8_Relu32), then evaluate it against Adam.")
final class MetaTrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "JSON config file; its fields are MetaConfig's (fields it omits keep the defaults).") Path config;
    @Option(names = "--lopt", description = "small_fc_lopt (hidden 4), small_fc_lopt32, mlp_lopt, velo (LSTM 512, bank 256), velo_small (LSTM 32, bank 8), l3rs (for the FineTune_* tasks) l3rs:N (a model of N parameter tensors), celo2 or elo_celo2.") String lopt;
    @Option(names = "--task", description = "Task name, QuadraticFamily_D, or a mixture of task families mix:FAMILY[*WEIGHT],... (see `lopt4j tasks`).") String task;
    @Option(names = "--estimator", description = "pes, tes or full_es.") String estimator;
    @Option(names = "--trunc-length", description = "Inner steps per estimator call.") Integer truncLength;
    @Option(names = "--schedule", description = "Truncation schedule: constant:L, loguniform:LO:HI.") String schedule;
    @Option(names = "--problems", description = "Inner problems per estimator.") Integer problems;
    @Option(names = "--estimators", description = "Estimator calls per outer step.") Integer estimators;
    @Option(names = "--outer-steps", description = "Outer steps.") Integer outerSteps;
    @Option(names = "--outer-lr", description = "Adam learning rate on θ.") Double outerLr;
    @Option(names = "--seed", description = "Run seed.") Long seed;
    @Option(names = "--eval-steps", description = "Inner steps of each evaluation run.") Integer evalSteps;
    @Option(names = "--eval-seeds", description = "Held-out seeds in the evaluation.") Integer evalSeeds;
    @Option(names = "--checkpoint-seconds", description = "Seconds between checkpoints (0 = every outer step).") Double checkpointSeconds;
    @Option(names = "--init-theta", description = "Start from this θ (a lopt.safetensors) instead of the meta-training init.") Path initTheta;
    @Option(names = "--adam-start", description = "VeLO only: start from an Adam-like θ with this step multiplier (a step of S · 0.001 · rms(p) per tensor) instead of Haiku's random initialization.") Double adamStart;
    @Option(names = "--meta-loss-ramp", description = "PES/TES: weight step t of an L-step episode's loss by (1 + p)·(t/L)^p, leaning the meta-objective towards the end of training (default 0: every step alike).") Double metaLossRamp;
    @Option(names = "--device", description = "Backend: auto (default: the best that starts), simd, scalar, opencl, cuda.") String device;
    @Option(names = "--engine", defaultValue = "threads", description = "Where units run: threads (a pool over the cores) or spark (default ${DEFAULT-VALUE}).") String engine;
    @Option(names = "--master", description = "Spark master for --engine spark, e.g. local[2,4] (default: what spark-submit sets).") String master;
    @Option(names = "--threads", description = "Unit threads (default: one per core).") Integer threads;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/metatrain", description = "Directory for the checkpoint, metrics.jsonl, eval.png, summary.txt (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--resume", description = "Continue from the checkpoint in --out.") boolean resume;
    @Option(names = "--stop-after", defaultValue = "-1", hidden = true, description = "Stop after this many outer steps of this invocation (tests).") int stopAfter;
    @Option(names = "--no-eval", description = "Skip the evaluation.") boolean noEval;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    MetaConfig resolve() throws Exception {
        MetaConfig c = config != null ? MetaConfig.read(config) : MetaConfig.defaults();
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be positive, got " + threads);
        return new ConfigOverrides().put("lopt", "--lopt", lopt).put("task", "--task", task).put("estimator", "--estimator", estimator)
                .put("truncLength", "--trunc-length", truncLength).put("schedule", "--schedule", schedule).put("problems", "--problems", problems)
                .put("estimators", "--estimators", estimators).put("outerSteps", "--outer-steps", outerSteps).put("outerLr", "--outer-lr", outerLr)
                .put("seed", "--seed", seed).put("evalSteps", "--eval-steps", evalSteps).put("evalSeeds", "--eval-seeds", evalSeeds)
                .put("checkpointSeconds", "--checkpoint-seconds", checkpointSeconds).put("device", "--device", device)
                .put("initTheta", "--init-theta", initTheta == null ? null : initTheta.toString()).put("adamStart", "--adam-start", adamStart)
                .put("metaLossRamp", "--meta-loss-ramp", metaLossRamp).applyTo(c::with);
    }

    @Override public Integer call() throws Exception {
        MetaConfig c = resolve();
        Backend b = Recipe.backend(c);
        Recipe r = Recipe.of(c, dataDir, b);
        DataCheck.require(r.task());
        if (r.estimator() instanceof MixtureEstimator m) for (TaskMixture.Component comp : m.mixture().components()) DataCheck.require(comp.family());
        try (RunLock lock = RunLock.acquire(out, "metatrain")) {
            Path ckpt = out.resolve(MetaCheckpoint.FILE);
            if (!resume && Files.exists(ckpt)) throw new IllegalArgumentException(ckpt + " exists: pass --resume to continue it, or choose another --out");
            int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            MetaState s;
            try (UnitExecutor ex = Engines.start(engine, master, nThreads, r, dataDir)) {
                MetaTrainer trainer = new MetaTrainer(r, ex, ckpt);
                s = resume ? MetaCheckpoint.read(ckpt, r) : trainer.fresh();
                if (resume) System.err.printf("resuming from %s at outer step %d%n", ckpt, s.step());
                System.err.printf("meta-training %s (θ: %,d values) with %s on %s: %d estimators x %d problems x 2, trunc %d, %d outer steps; %s; backend %s%n",
                        r.lopt().name(), r.lopt().thetaLayout().paramCount(), c.estimator(), r.estimator() instanceof MixtureEstimator m ? m.mixture().toString() : r.task().name(), c.estimators(), c.problems(),
                        c.truncLength(), c.outerSteps(), ex.describe(), b.name());
                Path metrics = out.resolve("metrics.jsonl");
                try (StopSignal stop = StopSignal.install(); MetricsLog log = resume ? MetricsLog.resume(metrics, s.step()) : MetricsLog.create(metrics);
                     ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("metatrain").setInitialMax(c.outerSteps())
                             .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().startsFrom(s.step(), java.time.Duration.ZERO).build()) {
                    s = trainer.run(s, stopAfter, stop::requested, rep -> {
                        if (rep.skipped()) System.err.printf("%nouter step %d skipped: its update would have made θ non-finite (%d skipped so far)%n", rep.step(), rep.skippedSteps());
                        if (pb != null) {
                            pb.stepTo(rep.step() + 1);
                            pb.setExtraMessage(String.format("meta-loss %.4f", rep.metaLoss()) + (rep.skippedSteps() > 0 ? ", skipped " + rep.skippedSteps() : ""));
                        }
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("step", rep.step());
                        row.put("meta_loss", rep.metaLoss());
                        row.put("best_of_mean_loss", rep.bestLoss());
                        row.put("theta_grad_norm", rep.gradNorm());
                        row.put("skipped", rep.skipped());
                        row.put("seconds", rep.wallSeconds());
                        log.append(row);
                    });
                    if (stop.requested()) {
                        System.err.printf("%nstopped at outer step %d: checkpoint %s; continue with --resume%n", s.step(), ckpt);
                        return 130;
                    }
                }
            }
            System.err.printf("meta-training: %d outer steps in %.0f s; NaN meta-losses replaced %d, non-finite gradient entries zeroed %d, "
                    + "outer steps skipped (non-finite θ) %d; checkpoint %s%n", s.step(), s.seconds(), s.nanLosses(), s.nonFiniteGrads(), s.skippedSteps(), ckpt);
            if (s.step() < c.outerSteps()) return 0;
            Path theta = out.resolve("lopt.safetensors");
            Slab th = Slab.zeros(b, DType.F32, r.lopt().thetaLayout());
            th.flat().assign(Tensor.of(b, s.theta(), s.theta().length).to(DType.F32));
            LearnedCheckpoint.save(theta, r.lopt(), th, null);
            System.err.printf("θ: %s (use it with `lopt4j train --optimizer %s --lopt-checkpoint %s`)%n", theta, c.lopt(), theta);
            if (!noEval) EvalReport.evaluateAndReport(r, s.theta(), out, c.evalSteps(), c.evalSeeds(), c.adamLr(), System.out);
            return 0;
        }
    }
}
