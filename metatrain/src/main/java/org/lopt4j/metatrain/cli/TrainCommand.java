package org.lopt4j.metatrain.cli;

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
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.run.MetricsLog;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.Divergence;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j train}: trains a task with an optimizer, with a progress bar, JSON-lines metrics and a PNG plot. A run
 * whose loss diverges ends there with exit code {@value #DIVERGED} unless {@code --keep-going}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a task with an optimizer. The run stops with \"diverged at step N\" "
        + "and exit code " + TrainCommand.DIVERGED + " when the mean training loss is not finite or exceeds --divergence-factor × the initial loss.")
final class TrainCommand implements Callable<Integer> {
    /** Exit code of a diverged run (1 is a refused command, 2 a command-line error). */
    static final int DIVERGED = 3;

    @Option(names = "--task", required = true, description = "Task name, or a family's sample FAMILY#KEY (see `lopt4j tasks`).") String task;
    @Option(names = "--optimizer", description = "One of: sgd, momentum, nesterov, adam, adamw, rmsprop, adafactor, lion, nadamw, lhopt (CIAO under the shipped or --policy LHOPT policy), or a learned optimizer: small_fc_lopt (θ shipped), small_fc_lopt_general (small_fc_lopt with the shipped general θ), velo_small_general (velo_small with its shipped θ), small_fc_lopt32, mlp_lopt, velo, velo_small, l3rs, celo2, elo_celo2 (θ from --lopt-checkpoint) (default: adam, or with --lopt-checkpoint the checkpoint's learned optimizer).") String optimizer;
    @Option(names = "--policy", description = "With --optimizer lhopt: an LHOPT policy (lhopt.safetensors from `lopt4j lhopt train`) that sets CIAO's hyperparameters as the run goes (default: the shipped policy).") Path policy;
    @Option(names = "--lopt-checkpoint", description = "θ for a learned optimizer, recognised by content: a lopt.safetensors or meta-training checkpoint from lopt4j, a PyLO small_fc_lopt/μLO directory, PyLO's VeLO (a directory with VeLO_RNN/ and VeLO_MLP/), or a learned_optimization flax msgpack θ (with --optimizer). Default for small_fc_lopt: the shipped θ.") Path loptCheckpoint;
    @Option(names = "--lr", description = "Learning rate of a hand-designed optimizer (default 1e-3), or PyLO's lr of a learned one: it scales the learned step (default 1).") Double lr;
    @Option(names = "--weight-decay", description = "A learned optimizer's decoupled weight decay, applied after its step as PyLO does: p <- p - lr*wd*p (default 0).") Double weightDecay;
    @Option(names = "--max-grad-norm", description = "A learned optimizer's per-tensor gradient norm limit before its features, as PyLO's max_grad_norm (default: none; small_fc_lopt only).") Double maxGradNorm;
    @Option(names = "--fan-in-reference", description = "small_fc_lopt: scale each weight's step by min(1, sqrt(N / its fan-in)), N the fan-in its θ was meta-trained on (default: off).") Double fanInReference;
    @Option(names = "--fan-in-matrices-only", description = "With --fan-in-reference: scale matrices only (rank 2), leaving conv kernels at the θ's own step.") boolean fanInMatricesOnly;
    @Option(names = "--fan-in-linear", description = "With --fan-in-reference: scale by min(1, N / its fan-in), μP's rule for Adam-like steps, instead of the square root.") boolean fanInLinear;
    @Option(names = "--steps", defaultValue = "1000", description = "Inner steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--members", defaultValue = "1", description = "Independent copies trained as one batched model (default ${DEFAULT-VALUE}).") int members;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX) and tinyshakespeare/; default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/train", description = "Output directory for metrics.jsonl and loss.png, locked while it runs (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--log-every", defaultValue = "10", description = "Steps between metric lines (default ${DEFAULT-VALUE}).") int logEvery;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: auto (the best that starts), simd, scalar, opencl, cuda (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--divergence-factor", defaultValue = "" + Divergence.DEFAULT_FACTOR, description = "A loss above this many times the initial loss counts as diverged; 0 = only a non-finite loss (default ${DEFAULT-VALUE}).") double divergenceFactor;
    @Option(names = "--keep-going", description = "Train all --steps even after the loss diverged (the exit code still says so).") boolean keepGoing;

    @Override public Integer call() throws Exception {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be positive, got " + steps);
        if (members <= 0) throw new IllegalArgumentException("--members must be positive, got " + members);
        if (logEvery <= 0) throw new IllegalArgumentException("--log-every must be positive, got " + logEvery);
        if (!(divergenceFactor >= 0) || Double.isInfinite(divergenceFactor)) throw new IllegalArgumentException("--divergence-factor must be a finite number ≥ 0, got " + divergenceFactor);
        String optimizer = this.optimizer == null && loptCheckpoint == null ? "adam" : this.optimizer;
        if (policy != null && !"lhopt".equals(optimizer)) throw new IllegalArgumentException("--policy is an LHOPT policy: it goes with --optimizer lhopt");
        if ("lhopt".equals(optimizer) && lr != null) throw new IllegalArgumentException("--lr does not apply to lhopt: its policy sets CIAO's learning rate");
        if ("lhopt".equals(optimizer) && members != 1) throw new IllegalArgumentException("--optimizer lhopt trains one member (CIAO clips the global norm of one model)");
        boolean learned = loptCheckpoint != null || LearnedOption.isLearned(optimizer), lhopt = "lhopt".equals(optimizer);
        if (loptCheckpoint != null && optimizer != null && !LearnedOption.isLearned(optimizer)) {
            throw new IllegalArgumentException("--lopt-checkpoint is a learned optimizer's θ; --optimizer " + optimizer + " is not a learned optimizer");
        }
        if (!learned && (weightDecay != null || maxGradNorm != null || fanInReference != null)) {
            throw new IllegalArgumentException("--weight-decay, --max-grad-norm and --fan-in-reference are a learned optimizer's options; " + optimizer + " is not one");
        }
        if ((fanInMatricesOnly || fanInLinear) && fanInReference == null) throw new IllegalArgumentException("--fan-in-matrices-only and --fan-in-linear go with --fan-in-reference N");
        double rate = lr == null ? (learned ? 1 : 1e-3) : lr;
        if (!(rate > 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("--lr must be a finite number above 0, got " + rate);
        if (!learned && !lhopt) OptimizerOption.of(optimizer, rate);     // an unknown name is refused before any data is read
        Task t = Tasks.byName(task, dataDir);
        DataCheck.require(t);
        Backend b = device.equals("auto") ? Backends.best() : Backends.named(device);
        Optimizer<?> opt = lhopt ? (policy == null ? org.lopt4j.metatrain.rl.LhoptOptimizer.shipped() : org.lopt4j.metatrain.rl.LhoptOptimizer.load(policy)) : learned ? LearnedOption.of(optimizer, loptCheckpoint, members,
                new UpdateOptions(rate, weightDecay == null ? 0 : weightDecay, maxGradNorm == null ? 0 : maxGradNorm, fanInReference == null ? 0 : fanInReference, fanInMatricesOnly, fanInLinear)) : OptimizerOption.of(optimizer, rate);
        Divergence rule = new Divergence(divergenceFactor);
        try (RunLock lock = RunLock.acquire(out, "train"); MetricsLog log = MetricsLog.create(out.resolve("metrics.jsonl"))) {
            List<double[]> curve = new ArrayList<>();
            double[] initial = {Double.NaN};
            String[] diverged = {null};
            System.err.printf("%s: %,d parameters x %d member(s), %s, backend %s%n", t.name(), t.layout().paramCount(), members, opt.describe(), b.name());
            InnerTrainer.Result r;
            try (ProgressBar pb = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build()) {
                r = InnerTrainer.train(t, opt, steps, seed, members, b, (s, losses) -> {
                    double mean = Arrays.stream(losses).average().orElse(Double.NaN);
                    if (s == 0) initial[0] = mean;
                    boolean first = diverged[0] == null && rule.diverged(initial[0], mean);
                    if (first) diverged[0] = rule.describe(s, initial[0], mean);
                    pb.stepTo(s + 1);
                    pb.setExtraMessage(String.format("loss %.4f", mean));
                    if (s % logEvery == 0 || s == steps - 1 || first) {
                        curve.add(new double[] {s, mean});
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("step", s);
                        row.put("loss", mean);
                        row.put("member_losses", losses);
                        log.append(row);
                    }
                }, () -> diverged[0] != null && !keepGoing);
            }
            double[] test = InnerTrainer.evaluate(t, r.params(), members, t.examples(Split.TEST) > 0 ? Split.TEST : Split.TRAIN, 5, seed + 1, b);
            System.out.printf("final train loss %.5f, test loss %.5f (mean over %d member(s)); metrics %s, plot %s%n",
                    Arrays.stream(r.lastLosses()).average().orElse(Double.NaN), Arrays.stream(test).average().orElse(Double.NaN),
                    members, log.file(), out.resolve("loss.png"));
            if (diverged[0] != null) System.out.println(diverged[0] + (keepGoing ? " (kept going: --keep-going)" : ""));
            System.out.flush();
            Plots.losses(out.resolve("loss.png"), t.name() + " / " + (optimizer == null ? opt.name() : optimizer) + (learned && lr == null ? "" : " lr " + rate), Map.of("train loss (mean of members)", curve));
            return diverged[0] == null ? 0 : DIVERGED;
        }
    }
}
