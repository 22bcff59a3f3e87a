package org.lopt4j.metatrain.outer;

import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * learned_optimization's truncated step (outer_training.md §2), vectorized: {@code problems} inner problems of one
 * task, each in {@code copies} copies (2 for antithetic ±), all trained in lockstep as one population (member
 * {@code c·problems + i} is copy c of problem i) with one batched forward/backward and one fused learned-optimizer
 * update per step. Copies of a problem share their batch, their reset keys and their schedule. A problem whose
 * episode ended on the previous step is reset on this one (fresh initialization, fresh optimizer state, iteration 0,
 * loss 0, masked out). Problems of one unroll share one task instance: population batching needs one architecture;
 * a task family is resampled when its estimator is re-created. Minibatches are drawn with replacement from the
 * train split by each step's key. The emitted meta-loss is, by {@code metaLossSplit}: {@code ""} the training loss at
 * the pre-update parameters (default), {@code same_data} the loss of the new parameters on the same batch, or a split
 * name ({@code train}, {@code inner_valid}, {@code outer_valid}, {@code test}): the new parameters on a fresh batch of it.
 * <p>
 * With a task {@code family}, every problem has its own task sample (all with {@code task}'s parameter layout), and a
 * reset draws a fresh task as well: losses and gradients are then computed problem by problem, the learned optimizer
 * still updates all members in one fused call (this mode takes the default meta-loss only).
 * <p>
 * Problem i draws every key of its own (initialization, batches, resets, lengths) as child {@code firstProblem + i}, so
 * an unroll of problems {@code a … b−1} given {@code firstProblem = a} computes exactly those problems of a larger
 * unroll from the same keys: a population can be split into units that run apart.
 * <p>
 * {@code metaLossRamp} p weights the loss of the step at iteration t of an episode of length L by
 * {@code (1 + p)·min(1, t/L)^p} (mean 1 over the episode; p = 0 weighs every step alike, learned_optimization's
 * objective). With p &gt; 0 the meta-objective leans towards the end of training, where a held-out score is read.
 */
public record TruncatedUnroll(Task task, LearnedOptimizer<?> lopt, TruncationSchedule schedule, int problems, int copies,
                              int initialOffset, int numStepsOverride, Backend backend, String metaLossSplit, TaskSampler family,
                              int firstProblem, double metaLossRamp) {
    public TruncatedUnroll {
        ConfigChecks.finiteNotNegative("metaLossRamp", metaLossRamp);
        if (problems < 1 || copies < 1) throw new IllegalArgumentException("an unroll needs ≥ 1 problem and ≥ 1 copy");
        if (firstProblem < 0) throw new IllegalArgumentException("first problem index " + firstProblem + " < 0");
        if (metaLossSplit == null) metaLossSplit = "";
        if (!metaLossSplit.isEmpty() && !metaLossSplit.equals("same_data")) split(metaLossSplit);
        if (family != null && !metaLossSplit.isEmpty()) throw new IllegalArgumentException("a task-family unroll takes the default meta-loss only");
    }

    /** Problems numbered from 0. */
    public TruncatedUnroll(Task task, LearnedOptimizer<?> lopt, TruncationSchedule schedule, int problems, int copies, int initialOffset,
                           int numStepsOverride, Backend backend, String metaLossSplit, TaskSampler family) {
        this(task, lopt, schedule, problems, copies, initialOffset, numStepsOverride, backend, metaLossSplit, family, 0, 0);
    }

    /** This unroll with its problems numbered from {@code first}. */
    public TruncatedUnroll numberedFrom(int first) {
        return new TruncatedUnroll(task, lopt, schedule, problems, copies, initialOffset, numStepsOverride, backend, metaLossSplit, family, first, metaLossRamp);
    }

    /** This unroll with its step losses weighted by the ramp {@code p} (see the class comment). */
    public TruncatedUnroll withMetaLossRamp(double p) {
        return new TruncatedUnroll(task, lopt, schedule, problems, copies, initialOffset, numStepsOverride, backend, metaLossSplit, family, firstProblem, p);
    }

    /** The ramp's weight of the loss at iteration {@code t} of an episode of {@code length} steps. */
    double stepWeight(int t, int length) {
        if (metaLossRamp == 0) return 1;
        return (1 + metaLossRamp) * Math.pow(Math.min(1.0, Math.max(0, t) / (double) Math.max(1, length)), metaLossRamp);
    }

    /** One fixed task for every problem. */
    public TruncatedUnroll(Task task, LearnedOptimizer<?> lopt, TruncationSchedule schedule, int problems, int copies, int initialOffset,
                           int numStepsOverride, Backend backend, String metaLossSplit) {
        this(task, lopt, schedule, problems, copies, initialOffset, numStepsOverride, backend, metaLossSplit, null);
    }

    /** The default meta-loss: the training loss at the pre-update parameters. */
    public TruncatedUnroll(Task task, LearnedOptimizer<?> lopt, TruncationSchedule schedule, int problems, int copies, int initialOffset,
                           int numStepsOverride, Backend backend) {
        this(task, lopt, schedule, problems, copies, initialOffset, numStepsOverride, backend, "", null);
    }

    private static Split split(String name) {
        return switch (name) {
            case "train" -> Split.TRAIN;
            case "inner_valid" -> Split.INNER_VALID;
            case "outer_valid" -> Split.OUTER_VALID;
            case "test" -> Split.TEST;
            default -> throw new IllegalArgumentException("unknown meta-loss split '" + name + "'; known: same_data, train, inner_valid, outer_valid, test");
        };
    }

    /** Members of the population. */
    public int members() { return problems * copies; }

    /** One step's outputs: normalized loss per member (0 on reset steps), per problem the mask and done flag. */
    public record StepOutput(double[] loss, boolean[] mask, boolean[] done) {}

    /** Fresh problems: lengths, initializations and optimizer states from {@code key}; random initial offsets. */
    public UnrollState init(RandomKey key, Slab thetaPop) {
        if (task.layout().count() == 0) throw new IllegalArgumentException("task " + task.name() + " has no parameters");
        Slab params = Slab.zeros(backend, DType.F32, task.layout().repeat(members()));
        int[] it = new int[problems], len = new int[problems], taskKeys = new int[family == null ? 0 : 2 * problems];
        for (int i = 0; i < problems; i++) {
            RandomKey k = key.child(firstProblem + i);
            len[i] = numStepsOverride > 0 && schedule instanceof TruncationSchedule.NeverEnding ? numStepsOverride : schedule.sampleLength(k.child(3));
            if (family != null) setKey(taskKeys, i, k.child(5));
            initMember(params, i, k.child(2), taskOf(taskKeys, i));
            if (initialOffset > 0) it[i] = (int) Math.min(initialOffset - 1, Math.floor(k.child(4).sample(Op.Dist.UNIFORM, DType.F64, 0) * initialOffset));
        }
        OptState<?> opt = initState(lopt, checkMembers(thetaPop), params);
        MemberSlabs.checkPerTensor(opt, params);
        return new UnrollState(params, opt, it, new int[problems], len, new boolean[problems], taskKeys);
    }

    private static void setKey(int[] keys, int i, RandomKey k) {
        keys[2 * i] = k.k0();
        keys[2 * i + 1] = k.k1();
    }

    /** Problem i's task: its family sample, or the fixed task. */
    Task taskOf(int[] taskKeys, int i) {
        if (family == null) return task;
        Task t = family.task(new RandomKey(taskKeys[2 * i], taskKeys[2 * i + 1]));
        if (!t.layout().equals(task.layout())) throw new IllegalArgumentException("family task " + t.name() + " has another parameter layout than " + task.name());
        return t;
    }

    private void initMember(Slab params, int problem, RandomKey key, Task task) {
        Slab one = task.init(key, backend, 1);
        int size = task.layout().size();
        for (int c = 0; c < copies; c++) {
            int m = c * problems + problem;
            params.flat().slice(0, m * size, (m + 1) * size, 1).assign(one.flat().slice(0, 0, size, 1));
        }
    }

    private Slab checkMembers(Slab thetaPop) {
        int n = lopt.members(thetaPop);
        if (n != members()) throw new IllegalArgumentException("θ population has " + n + " members; the unroll has " + members());
        return thetaPop;
    }

    private static <S extends OptState<S>> S initState(LearnedOptimizer<S> lo, Slab thetaPop, Slab params) {
        return lo.optimizer(thetaPop).init(params);
    }

    /** Minibatch indices of problem i for this step, drawn with replacement; copies share them. */
    private Batch batch(RandomKey key, Split split) {
        int n = task.examples(split);
        if (n == 0) return null;
        int bs = task.batchSize();
        int[][] idx = new int[members()][];
        for (int i = 0; i < problems; i++) {
            RandomKey k = key.child(firstProblem + i);
            int[] b = new int[bs];
            for (int j = 0; j < bs; j++) b[j] = (int) Math.min(n - 1, Math.floor(k.sample(Op.Dist.UNIFORM, DType.F64, j) * n));
            for (int c = 0; c < copies; c++) idx[c * problems + i] = b;
        }
        return task.batch(backend, split, idx);
    }

    /** A fresh batch of {@code split} for the members (the same per problem across copies). */
    public Batch freshBatch(RandomKey key, Split split) { return batch(key, split); }

    /**
     * What applies a step's inner update to the members (in place in {@code s}'s slabs), given their gradients, raw
     * losses and own iteration counts; says whether the update was applied. Problems flagged in {@code s.done()} are
     * reset after it, whatever it did to them.
     */
    @FunctionalInterface
    public interface Updater {
        boolean apply(UnrollState s, Slab grads, double[] rawLosses, int[] memberSteps);
    }

    /**
     * The learned optimizer's fused update with θ population {@code thetaPop} (one θ per member): the optimizer is built
     * here, once; build the updater once per unroll and pass it to every {@link #step}. Members' own update counts live
     * in the optimizer state (reset with the member), so none are sent with each step.
     */
    public Updater fused(Slab thetaPop) { return updater(lopt, checkMembers(thetaPop)); }

    private <S extends OptState<S>> Updater updater(LearnedOptimizer<S> lo, Slab thetaPop) {
        Optimizer<S> opt = lo.optimizer(thetaPop);
        return (s, grads, raw, steps) -> {
            int horizon = numStepsOverride > 0 ? numStepsOverride : s.length()[0];
            S state = lo.stateType().cast(s.opt());
            S next = opt.update(state, s.params(), grads, new StepInfo(s.iteration()[0], mean(raw), horizon, raw, null));
            return next.step() > state.step();                        // a skipping policy leaves every member as it was
        };
    }

    /** One lockstep step whose inner update is {@code updater}. */
    public StepOutput step(UnrollState s, RandomKey key, Slab grads, Updater updater) {
        int members = members(), per = task.layout().count();
        Batch trainBatch = family == null ? batch(key.child(0), Split.TRAIN) : null;
        double[] raw = family == null ? task.lossAndGrad(s.params(), members, trainBatch, grads) : perProblem(s, key.child(0), grads);
        int[] steps = new int[members];
        for (int m = 0; m < members; m++) steps[m] = s.optStep()[m % problems];
        boolean applied = updater.apply(s, grads, raw, steps);
        double[] metaRaw = switch (metaLossSplit) {
            case "" -> raw;
            case "same_data" -> task.loss(s.params(), members, trainBatch);
            default -> task.loss(s.params(), members, batch(key.child(3), split(metaLossSplit)));
        };
        double[] loss = new double[members];
        boolean[] mask = new boolean[problems], done = new boolean[problems];
        for (int i = 0; i < problems; i++) {
            int nextStep;
            if (s.done()[i]) {                                         // reset step: no training, masked out
                RandomKey k = key.child(1).child(firstProblem + i);
                if (family != null) setKey(s.taskKeys(), i, k.child(5));              // a fresh task sample as well
                initMember(s.params(), i, k.child(2), taskOf(s.taskKeys(), i));
                for (int c = 0; c < copies; c++) MemberSlabs.zero(s.opt(), c * problems + i, per);
                s.optStep()[i] = 0;
                nextStep = 0;
            } else {
                Task ti = taskOf(s.taskKeys(), i);
                double w = stepWeight(s.iteration()[i], s.length()[i]);
                for (int c = 0; c < copies; c++) loss[c * problems + i] = w * ti.normalize(metaRaw[c * problems + i]);
                if (applied) s.optStep()[i]++;
                nextStep = s.iteration()[i] + 1;
            }
            done[i] = schedule.done(s.length()[i], nextStep);
            if (done[i]) s.length()[i] = schedule.sampleLength(key.child(2).child(firstProblem + i));
            mask[i] = nextStep != 0;
            s.iteration()[i] = nextStep;
            s.done()[i] = done[i];
        }
        // the state record's slabs are the same objects; only its counters moved
        return new StepOutput(loss, mask, done);
    }

    /** Losses and gradients problem by problem, each copy set on its own task (family unrolls). */
    private double[] perProblem(UnrollState s, RandomKey key, Slab grads) {
        int size = task.layout().size();
        double[] raw = new double[members()];
        SlabLayout sub = task.layout().repeat(copies);
        for (int i = 0; i < problems; i++) {
            Task t = taskOf(s.taskKeys(), i);
            Slab p = Slab.zeros(backend, DType.F32, sub), g = p.zerosLike();
            for (int c = 0; c < copies; c++) {
                int m = c * problems + i;
                p.flat().slice(0, c * size, (c + 1) * size, 1).assign(s.params().flat().slice(0, m * size, (m + 1) * size, 1));
            }
            Batch b = null;
            int n = t.examples(Split.TRAIN);
            if (n > 0) {
                int[] idx = new int[t.batchSize()];
                for (int j = 0; j < idx.length; j++) idx[j] = (int) Math.min(n - 1, Math.floor(key.child(firstProblem + i).sample(Op.Dist.UNIFORM, DType.F64, j) * n));
                int[][] all = new int[copies][];
                java.util.Arrays.fill(all, idx);
                b = t.batch(backend, Split.TRAIN, all);
            }
            double[] l = t.lossAndGrad(p, copies, b, g);
            for (int c = 0; c < copies; c++) {
                int m = c * problems + i;
                raw[m] = l[c];
                grads.flat().slice(0, m * size, (m + 1) * size, 1).assign(g.flat().slice(0, c * size, (c + 1) * size, 1));
            }
        }
        return raw;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }
}
