package org.lopt4j.metatrain.train;

import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.BatchStream;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * Trains {@code members} copies of a task with one optimizer for a number of steps, all members as one batched model
 * and one fused optimizer pass per step. Member m initializes from {@code seed}'s key child m and draws its own
 * batches; {@code onStep} sees the per-member training losses.
 */
public final class InnerTrainer {
    /** Receives step s (0 first) and the members' losses before that step's update. */
    @FunctionalInterface
    public interface Listener { void onStep(int step, double[] losses); }

    /** Final parameters, optimizer state and the last losses. */
    public record Result(Slab params, OptState<?> state, double[] lastLosses) {}

    private InnerTrainer() {}

    public static <S extends OptState<S>> Result train(Task task, Optimizer<S> opt, int steps, long seed, int members, Backend backend,
                                                       Listener onStep) {
        return train(task, opt, steps, seed, members, backend, onStep, () -> false);
    }

    /** {@link #train(Task, Optimizer, int, long, int, Backend, Listener)} that ends early, without the update, at the first step after which {@code stop} holds. */
    public static <S extends OptState<S>> Result train(Task task, Optimizer<S> opt, int steps, long seed, int members, Backend backend,
                                                       Listener onStep, java.util.function.BooleanSupplier stop) {
        return train(task, opt, steps, seed, members, backend, onStep, stop, null);
    }

    /**
     * The same, with {@code afterUpdate} (null for none) seeing the optimizer state after every update. Each member's
     * own loss goes to the optimizer (VeLO and L3RS read it), the members' mean as the step's loss.
     */
    public static <S extends OptState<S>> Result train(Task task, Optimizer<S> opt, int steps, long seed, int members, Backend backend,
                                                       Listener onStep, java.util.function.BooleanSupplier stop,
                                                       java.util.function.Consumer<S> afterUpdate) {
        RandomKey key = RandomKey.of(seed);
        Slab params = task.init(key.child(0), backend, members), grads = params.zerosLike();
        S state = opt.init(params);
        BatchStream[] streams = new BatchStream[members];
        int n = task.examples(Split.TRAIN);
        for (int m = 0; m < members; m++) streams[m] = n == 0 ? null : new BatchStream(n, task.batchSize(), key.child(1).child(m));
        double[] losses = new double[members];
        for (int s = 0; s < steps; s++) {
            Batch b = next(task, backend, streams);
            losses = task.lossAndGrad(params, members, b, grads);
            if (onStep != null) onStep.onStep(s, losses);
            if (stop.getAsBoolean()) break;
            double mean = 0;
            for (double l : losses) mean += l / members;
            state = opt.update(state, params, grads, new StepInfo(s, mean, steps, losses, null));
            if (afterUpdate != null) afterUpdate.accept(state);
        }
        return new Result(params, state, losses);
    }

    static Batch next(Task task, Backend backend, BatchStream[] streams) {
        if (streams[0] == null) return null;
        int[][] idx = new int[streams.length][];
        for (int m = 0; m < streams.length; m++) idx[m] = streams[m].next();
        return task.batch(backend, Split.TRAIN, idx);
    }

    /** Mean loss of each member on {@code batches} fresh batches of a split (keys from {@code seed}). */
    public static double[] evaluate(Task task, Slab params, int members, Split split, int batches, long seed, Backend backend) {
        double[] sum = new double[members];
        int n = task.examples(split);
        if (n == 0) return task.loss(params, members, null);
        BatchStream[] s = new BatchStream[members];
        for (int m = 0; m < members; m++) s[m] = new BatchStream(n, task.batchSize(), RandomKey.of(seed).child(m));
        for (int i = 0; i < batches; i++) {
            int[][] idx = new int[members][];
            for (int m = 0; m < members; m++) idx[m] = s[m].next();
            double[] l = task.loss(params, members, task.batch(backend, split, idx));
            for (int m = 0; m < members; m++) sum[m] += l[m] / batches;
        }
        return sum;
    }
}
