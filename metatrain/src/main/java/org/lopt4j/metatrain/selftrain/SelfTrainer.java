package org.lopt4j.metatrain.selftrain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.Perturbations;
import org.lopt4j.metatrain.outer.PopulationEs;
import org.lopt4j.metatrain.outer.PopulationValue;
import org.lopt4j.metatrain.outer.TruncatedUnroll;
import org.lopt4j.metatrain.outer.TruncationSchedule;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.ImageMlpFamily;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/**
 * Self-training (pbt_selftraining.md §3): a population of learned optimizers, each meta-trained by a learned optimizer
 * from the same population. Each outer step samples one task (a family member, or the fixed task), estimates every
 * member's ES gradient in one population ({@link PopulationEs}), and moves each θ with the {@link OuterRule}. Every
 * {@code evalEvery} steps all members are evaluated on a held-out task sample ({@link PopulationValue}); when every
 * generation has run {@code exploitEvery} steps, the {@link Selection} copies θs between slots and explore mutates the
 * copies' hyperparameters. Checkpoints are atomic; every key derives from the seed and the step (runKey children: 0
 * initial θs, 1 initial hyperparameters, 2 ES, 3 tasks, 4 evaluations, 5 evaluation tasks, 6 explore, 7 the held-out
 * task of the final evaluation), so a resumed run continues exactly as an uninterrupted one. ES and evaluations run
 * as {@link MemberUnit}s of {@link SelfTrainConfig#unitSize()} members on a {@link MemberUnitExecutor}; every key
 * derives from a member's index, never from its unit, so the split does not change the result.
 */
public final class SelfTrainer {
    /** Sees each finished outer step. */
    @FunctionalInterface
    public interface Listener { void onStep(StepReport r); }

    /**
     * One outer step: its index, the task it trained on, per member the ES meta-loss, the evaluation value of this
     * step (NaN without one), the generation and hyperparameters after the step; the slots copied by an exploit
     * ({@code source[i] ≥ 0}, null without one); wall seconds; the members whose update this step was skipped because
     * it would have made their θ non-finite, and the run's count of skipped updates so far.
     */
    public record StepReport(int step, String task, double[] metaLoss, double[] value, int[] generation, Hyperparameters[] hyper,
                             int[] exploitSource, double wallSeconds, int skipped, long skippedUpdates) {}

    private final SelfTrainConfig config;
    private final LearnedOptimizer<?> lopt;
    private final OuterRule rule;
    private final Backend backend;
    private final Task fixed;
    private final TaskFamily family;
    private final Path checkpoint;
    private final MemberUnitExecutor executor;

    /** {@code dataDir} null = embedded data; {@code checkpoint} null = no checkpoints; units run in the calling thread. */
    public SelfTrainer(SelfTrainConfig c, Path dataDir, Backend backend, Path checkpoint) {
        this(c, dataDir, backend, checkpoint, MemberUnitExecutor.inline());
    }

    /** A trainer whose units ({@link SelfTrainConfig#membersPerUnit()} members each) run on {@code executor}. */
    public SelfTrainer(SelfTrainConfig c, Path dataDir, Backend backend, Path checkpoint, MemberUnitExecutor executor) {
        this.config = c;
        this.lopt = LearnedOptimizers.named(c.lopt());
        this.rule = OuterRule.of(c, lopt);
        this.backend = backend;
        this.family = family(c.task(), dataDir);
        this.fixed = family == null ? Tasks.byName(c.task(), dataDir) : null;
        this.checkpoint = checkpoint;
        this.executor = executor;
    }

    /** The task families self-training knows by name; null for a fixed task's name. */
    static TaskFamily family(String name, Path dataDir) {
        return switch (name) {
            case "mlp8_fashion_mnist" -> ImageMlpFamily.selfTraining(name, dataDir, "fashion_mnist");
            case "mlp8" -> ImageMlpFamily.selfTraining(name, dataDir, "fashion_mnist", "mnist");
            default -> null;
        };
    }

    public SelfTrainConfig config() { return config; }

    /** The backend {@code c.device()} names ({@code auto}: the best that starts). */
    public static Backend backend(SelfTrainConfig c) { return c.device().equals("auto") ? Backends.best() : Backends.named(c.device()); }

    /** Loads the training data of the task or of every dataset of the family, so a missing file is reported before any work. */
    public void checkData() throws IOException {
        if (family != null) DataCheck.require(family);
        else DataCheck.require(fixed);
    }

    public LearnedOptimizer<?> lopt() { return lopt; }

    public Backend backend() { return backend; }

    private RandomKey runKey() { return RandomKey.of(config.seed()); }

    /** The task outer step {@code step} trains on. */
    public Task task(int step) { return family == null ? fixed : family.sample(runKey().child(3).fold(step)); }

    /** The held-out task of the evaluation after outer step {@code step}. */
    Task evalTask(int step) { return family == null ? fixed : family.sample(runKey().child(5).fold(step)); }

    /** A task of the family drawn with a key no outer step or evaluation uses (runKey child 7); null for a fixed task. */
    public Task heldOutTask() { return family == null ? null : family.sample(runKey().child(7)); }

    /** The ES estimates of members {@code first …} at outer step {@code step} (a {@link MemberUnit}'s work). */
    PopulationEs.MemberEstimate[] estimates(int step, double[][] thetas, double[] sigmas, int[] lengths, int first) {
        PopulationEs es = new PopulationEs(new TruncatedUnroll(task(step), lopt, new TruncationSchedule.NeverEnding(), config.pairs(), 2, 0, 0, backend),
                config.loss(), 50, 0, 0);
        return es.estimate(thetas, sigmas, lengths, config.pairs(), runKey().child(2).fold(step).child(0), first);
    }

    /** The held-out values of members {@code first …} in the evaluation after outer step {@code step}. */
    double[] values(int step, double[][] thetas, int first) {
        return new PopulationValue(evalTask(step), lopt, config.evalProblems(), config.evalLength(), backend).values(thetas, runKey().child(4).fold(step), first);
    }

    /** The units of one step's ES ({@code evaluation} false) or evaluation over all members. */
    private List<MemberUnit.Result> runUnits(int step, boolean evaluation, double[][] thetas, double[] sigmas, int[] lengths) {
        int n = thetas.length, per = config.unitSize();
        List<MemberUnit> units = new ArrayList<>();
        for (int a = 0; a < n; a += per) {
            int b = Math.min(n, a + per);
            units.add(new MemberUnit(step, evaluation, a, java.util.Arrays.copyOfRange(thetas, a, b),
                    evaluation ? new double[0] : java.util.Arrays.copyOfRange(sigmas, a, b), evaluation ? new int[0] : java.util.Arrays.copyOfRange(lengths, a, b)));
        }
        List<MemberUnit.Result> out = executor.runAll(this, units);
        if (out.size() != units.size()) throw new IllegalStateException(units.size() + " units ran, " + out.size() + " results came back");
        return out;
    }

    /** A fresh run: P random initializations (or the config's θ file), hyperparameters drawn, generations 0..P−1. */
    public SelfTrainState fresh() throws IOException {
        String init = config.initTheta();
        double[] start = init.isEmpty() ? null : Perturbations.flat(MetaCheckpoint.anyTheta(Path.of(init), lopt, backend));
        Member[] m = new Member[config.members()];
        List<Generation> lineage = new ArrayList<>();
        for (int i = 0; i < m.length; i++) {
            double[] theta = start != null ? start.clone() : Perturbations.flat(lopt.initTheta(runKey().child(0).child(i), backend));
            Hyperparameters h = Hyperparameters.initial(config, runKey().child(1).child(i));
            m[i] = new Member(theta, h, rule.init(theta), i, 0, Double.NaN);
            lineage.add(new Generation(i, i, -1, 0, h));
        }
        return new SelfTrainState(0, m, List.copyOf(lineage), 0, 0, 0, 0);
    }

    /** Runs outer steps from {@code s} until the config's count (or {@code stopAfter} more steps); returns the state. */
    public SelfTrainState run(SelfTrainState s, int stopAfter, Listener listener) throws IOException { return run(s, stopAfter, () -> false, listener); }

    /** {@link #run(SelfTrainState, int, Listener)} that also ends, checkpointed, after the first step that sees {@code stop}. */
    public SelfTrainState run(SelfTrainState s, int stopAfter, java.util.function.BooleanSupplier stop, Listener listener) throws IOException {
        long lastCkpt = System.nanoTime();
        int end = Math.min(config.outerSteps(), stopAfter < 0 ? Integer.MAX_VALUE : s.step() + stopAfter);
        while (s.step() < end) {
            s = step(s, listener);
            boolean last = s.step() == end || stop.getAsBoolean();
            if (checkpoint != null && (last || (System.nanoTime() - lastCkpt) / 1e9 >= config.checkpointSeconds())) {
                SelfTrainCheckpoint.write(checkpoint, this, s);
                lastCkpt = System.nanoTime();
            }
            if (last) break;
        }
        return s;
    }

    /** One outer step: ES for every member, the outer rule, and every {@code evalEvery} steps evaluation and exploit. */
    SelfTrainState step(SelfTrainState s, Listener listener) {
        long t0 = System.nanoTime();
        int step = s.step(), n = s.members().length;
        Task task = task(step);
        Member[] before = s.members();
        double[][] thetas = new double[n][];
        double[] sigmas = new double[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            thetas[i] = before[i].theta();
            sigmas[i] = before[i].hyper().sigma();
            lengths[i] = before[i].hyper().unrollLength();
        }
        double[] esLoss = new double[n];
        double[][] esGrad = new double[n][];
        int at = 0;
        for (MemberUnit.Result r : runUnits(step, false, thetas, sigmas, lengths)) {
            for (int k = 0; k < r.metaLoss().length; k++, at++) {
                esLoss[at] = r.metaLoss()[k];
                esGrad[at] = r.grad()[k];
            }
        }
        if (at != n) throw new IllegalStateException(at + " ES estimates came back for " + n + " members");
        int best = s.best();
        long nanLosses = s.nanLosses(), bad = s.nonFiniteGrads(), skippedUpdates = s.skippedUpdates();
        int skipped = 0;
        double[] metaLoss = new double[n];
        Member[] after = new Member[n];
        for (int i = 0; i < n; i++) {
            Member m = before[i];
            double loss = esLoss[i];
            if (Double.isNaN(loss)) { loss = MetaTrainer.NAN_LOSS; nanLosses++; }
            double[] grad = esGrad[i].clone();
            for (int j = 0; j < grad.length; j++) if (!Double.isFinite(grad[j])) { grad[j] = 0; bad++; }
            double[] ruleTheta = rule.kind() == OuterRule.Kind.BEST && best >= 0 ? thetas[best] : thetas[i];
            double[] theta = m.theta().clone();
            OuterRule.State o = rule.update(m.outer(), theta, grad, loss, ruleTheta, step, m.hyper().stepMult());
            if (!MetaTrainer.allFinite(theta)) {                          // keep the member as it was rather than a NaN θ
                theta = m.theta();
                o = m.outer();
                skipped++;
                skippedUpdates++;
            }
            after[i] = new Member(theta, m.hyper(), o, m.generation(), m.generationStart(), m.value());
            metaLoss[i] = loss;
        }
        double[] value = new double[n];
        java.util.Arrays.fill(value, Double.NaN);
        int[] source = null;
        List<Generation> lineage = s.lineage();
        if ((step + 1) % config.evalEvery() == 0) {
            double[][] now = new double[n][];
            for (int i = 0; i < n; i++) now[i] = after[i].theta();
            value = new double[n];
            int v = 0;
            for (MemberUnit.Result r : runUnits(step, true, now, null, null)) for (double x : r.value()) value[v++] = x;
            if (v != n) throw new IllegalStateException(v + " values came back for " + n + " members");
            for (int i = 0; i < n; i++) after[i] = new Member(after[i].theta(), after[i].hyper(), after[i].outer(), after[i].generation(), after[i].generationStart(), value[i]);
            boolean ripe = true;
            for (Member m : after) ripe &= step + 1 - m.generationStart() >= config.exploitEvery();
            if (ripe) {
                source = Selection.parse(config.selection()).sources(value);
                List<Generation> grown = new ArrayList<>(lineage);
                Member[] parents = after.clone();
                for (int i = 0; i < n; i++) {
                    if (source[i] < 0) continue;
                    Member p = parents[source[i]];
                    Hyperparameters h = p.hyper().mutate(config.mutate(), config.unrollLength(), runKey().child(6).fold(step).child(i));
                    double[] theta = p.theta().clone();
                    Generation g = new Generation(grown.size(), i, p.generation(), step + 1, h);
                    grown.add(g);
                    after[i] = new Member(theta, h, rule.init(theta), g.id(), step + 1, p.value());
                }
                lineage = List.copyOf(grown);
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (listener != null) {
            int[] gen = new int[n];
            Hyperparameters[] hyper = new Hyperparameters[n];
            for (int i = 0; i < n; i++) { gen[i] = after[i].generation(); hyper[i] = after[i].hyper(); }
            listener.onStep(new StepReport(step, task.name(), metaLoss, value, gen, hyper, source, wall, skipped, skippedUpdates));
        }
        return new SelfTrainState(step + 1, after, lineage, nanLosses, bad, skippedUpdates, s.seconds() + wall);
    }
}
