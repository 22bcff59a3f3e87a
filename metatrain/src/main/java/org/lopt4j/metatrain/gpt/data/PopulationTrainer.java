package org.lopt4j.metatrain.gpt.data;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * Trains runs {@code firstRun … firstRun+runs−1} of a {@link CheckpointRecipe} together as one population: all
 * members' parameters and momentum buffers live in two member-stacked float32 slabs {@code [runs, P]}, each step gives
 * every member its own minibatch (its own shuffle) and spreads the members over the cores ({@link NetKernel} per
 * worker). A member's checkpoint stores θ_t (after t updates), the loss and error of θ_t on the minibatch of update
 * t+1 (the final checkpoint: on the last minibatch) and its metrics on the test images. The twin is {@link ReferenceRun}.
 */
public final class PopulationTrainer {
    private final TaskNet net;
    private final CheckpointRecipe recipe;
    private final int runs, p, n, ipe, total;
    private final float[] x, testX, theta, buf, grad;
    private final int[] y, testY;
    private final int[][] order, schedule;
    private final int[] next;
    private final SplittableRandom[] shuffles;
    private final ImageDataset test;
    private final Checkpoints out;
    private int t;
    private float lr;

    /** Runs from their inits; {@code train} is the whole training set, {@code test} the test images of the metrics. */
    public PopulationTrainer(TaskNet net, CheckpointRecipe recipe, ImageDataset train, ImageDataset test, int firstRun, int runs) {
        this.net = net;
        this.recipe = recipe;
        this.runs = runs;
        this.p = net.parameters();
        this.n = train.n();
        this.ipe = recipe.itersPerEpoch(n);
        this.total = recipe.totalIters(n);
        if (ipe < 1) throw new IllegalArgumentException(n + " training images make no batch of " + recipe.batch());
        this.x = net.normalize(train);
        this.y = train.labels();
        this.test = test;
        this.testX = net.normalize(test);
        this.testY = test.labels();
        this.theta = new float[Math.multiplyExact(runs, p)];
        this.buf = new float[theta.length];
        this.grad = new float[theta.length];
        this.order = new int[runs][];
        this.schedule = new int[runs][];
        this.next = new int[runs];
        this.shuffles = new SplittableRandom[runs];
        this.out = Checkpoints.allocate(firstRun, runs, recipe.checkpoints(), p);
        for (int r = 0; r < runs; r++) {
            int run = firstRun + r;
            System.arraycopy(net.init(recipe.rng(run, CheckpointRecipe.Stream.INIT)), 0, theta, r * p, p);
            order[r] = new int[n];
            for (int i = 0; i < n; i++) order[r][i] = i;
            shuffles[r] = recipe.rng(run, CheckpointRecipe.Stream.SHUFFLE);
            schedule[r] = recipe.schedule(run, total);
        }
    }

    /** Updates per run. */
    public int totalIters() { return total; }

    /** Updates done so far. */
    public int iteration() { return t; }

    /** A copy of member {@code r}'s current parameters. */
    public float[] theta(int r) { return java.util.Arrays.copyOfRange(theta, r * p, (r + 1) * p); }

    /** Runs every remaining update, calling {@code progress} with the updates done after each; returns the checkpoints. */
    public Checkpoints run(IntConsumer progress) {
        while (t < total) {
            step();
            progress.accept(t);
        }
        return out;
    }

    /** One update of every member (recording the checkpoints due at the current iteration first); after the last, the final checkpoints. */
    public void step() {
        if (t >= total) throw new IllegalStateException("all " + total + " updates are done");
        int e = t / ipe, b = recipe.batch(), from = (t % ipe) * b;
        if (t % ipe == 0) {
            lr = (float) recipe.lr(e);
            for (int r = 0; r < runs; r++) CheckpointRecipe.shuffle(order[r], shuffles[r]);
        }
        int[] rowsAt = {from};
        Parallel.forBatches(runs, 2, () -> new Scratch(net, b), (s, lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                System.arraycopy(order[r], rowsAt[0], s.rows, 0, b);
                double loss = s.kernel.lossAndGrad(theta, r * p, x, s.rows, y, b, grad, r * p, s.err);
                if (next[r] < schedule[r].length && schedule[r][next[r]] == t) save(s, r, loss, s.err[0]);
                update(r);
            }
        });
        t++;
        if (t == total) {
            Parallel.forBatches(runs, 2, () -> new Scratch(net, b), (s, lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    System.arraycopy(order[r], from, s.rows, 0, b);
                    double loss = s.kernel.lossAndGrad(theta, r * p, x, s.rows, y, b, null, 0, s.err);
                    save(s, r, loss, s.err[0]);
                }
            });
        }
    }

    /** Per-worker scratch: a kernel, the batch's rows and metrics. */
    private static final class Scratch {
        final NetKernel kernel;
        final int[] rows;
        final double[] err = new double[1], metrics = new double[2];

        Scratch(TaskNet net, int batch) {
            kernel = new NetKernel(net, Math.max(batch, NetKernel.CHUNK));
            rows = new int[batch];
        }
    }

    private void save(Scratch s, int r, double trainLoss, double trainErr) {
        int k = recipe.checkpoints(), at = r * k + next[r]++;
        System.arraycopy(theta, r * p, out.theta(), at * p, p);
        out.iteration()[at] = t;
        out.trainLoss()[at] = trainLoss;
        out.trainErr()[at] = trainErr;
        s.kernel.evaluate(theta, r * p, testX, testY, test.n(), s.metrics);
        out.testLoss()[at] = s.metrics[0];
        out.testErr()[at] = s.metrics[1];
    }

    /** PyTorch's SGD step with Nesterov momentum: g += wd·p; buf = μ·buf + g (g at the first step); p −= lr·(g + μ·buf). */
    private void update(int r) {
        float wd = (float) recipe.weightDecay(), mu = (float) recipe.momentum();
        boolean first = t == 0;
        for (int i = r * p; i < (r + 1) * p; i++) {
            float g = grad[i] + wd * theta[i];
            buf[i] = first ? g : mu * buf[i] + g;
            theta[i] -= lr * (g + mu * buf[i]);
        }
    }
}
