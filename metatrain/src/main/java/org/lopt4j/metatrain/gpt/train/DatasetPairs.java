package org.lopt4j.metatrain.gpt.train;

import java.util.random.RandomGenerator;
import org.lopt4j.metatrain.gpt.data.CheckpointDataset;
import org.lopt4j.metatrain.gpt.data.TaskNet;

/**
 * Training pairs from the training split of a checkpoint dataset (gpt_checkpoints.md §2): a run, a gap, a start
 * checkpoint and the later one {@code gap} checkpoints on, both scaled by the dataset's coefficient and, when
 * {@code augment}, both put through one random function-preserving permutation of the hidden units. The metric is
 * the test loss.
 */
public final class DatasetPairs implements CheckpointPairs {
    private final CheckpointDataset data;
    private final int[] runs;
    private final boolean augment;

    public DatasetPairs(CheckpointDataset data, boolean augment) {
        this.data = data;
        this.runs = data.trainRuns();
        this.augment = augment;
        if (runs.length == 0) throw new IllegalArgumentException("the dataset has no training runs");
        if (data.checkpointsPerRun() < 2) throw new IllegalArgumentException("the dataset has " + data.checkpointsPerRun() + " checkpoint per run; pairs need 2");
    }

    @Override public int parameters() { return data.net().parameters(); }

    @Override public int[] layerSizes() { return layerSizes(data.net()); }

    /** Values per layer of {@code net} in its state-dict order. */
    public static int[] layerSizes(TaskNet net) { return net.layers().stream().mapToInt(TaskNet.Layer::length).toArray(); }

    @Override public Pair sample(RandomGenerator rng) {
        int run = runs[rng.nextInt(runs.length)], n = data.checkpointsPerRun();
        int gap = 1 + rng.nextInt(n - 1), i0 = rng.nextInt(n - gap), i1 = i0 + gap;
        float[] prev = data.theta(run, i0), x0 = data.theta(run, i1);
        if (augment) {
            int[] perm = data.net().randomPermutation(rng);
            prev = TaskNet.permute(prev, perm);
            x0 = TaskNet.permute(x0, perm);
        }
        scale(prev, data.coeff());
        scale(x0, data.coeff());
        return new Pair(x0, prev, data.testLoss(run, i1), data.testLoss(run, i0));
    }

    static void scale(float[] v, double c) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * c);
    }
}
