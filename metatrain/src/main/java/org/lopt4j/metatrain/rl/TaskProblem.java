package org.lopt4j.metatrain.rl;

import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * A data task as an LHOPT problem: one member, minibatches of the training split drawn from the step's key, and an
 * evaluation loss on a fixed set of {@link #EVAL_BATCHES} batches of the test split (the training split when it has none).
 */
public final class TaskProblem implements InnerProblem {
    static final int EVAL_BATCHES = 4;
    private final Task task;
    private final Backend backend;
    private final Batch[] eval;

    public TaskProblem(Task task, Backend backend) {
        this.task = task;
        this.backend = backend;
        Split held = task.examples(Split.TEST) > 0 ? Split.TEST : Split.TRAIN;
        this.eval = new Batch[EVAL_BATCHES];
        for (int b = 0; b < EVAL_BATCHES; b++) eval[b] = batch(held, RandomKey.of(0x5eed).child(b));
    }

    private Batch batch(Split split, RandomKey key) {
        int n = task.examples(split);
        if (n == 0) return null;
        int[] idx = new int[task.batchSize()];
        for (int j = 0; j < idx.length; j++) idx[j] = (int) Math.min(n - 1, Math.floor(key.sample(Op.Dist.UNIFORM, DType.F64, j) * n));
        return task.batch(backend, split, new int[][] {idx});
    }

    @Override public String name() { return task.name(); }

    @Override public Slab init(RandomKey key, Backend b) { return task.init(key, b, 1); }

    @Override public double lossAndGrad(Slab params, Slab grads, RandomKey key) {
        return task.lossAndGrad(params, 1, batch(Split.TRAIN, key), grads)[0];
    }

    @Override public double evalLoss(Slab params) {
        double s = 0;
        for (Batch b : eval) s += task.loss(params, 1, b)[0] / eval.length;
        return s;
    }
}
