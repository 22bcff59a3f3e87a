package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * Image-MLP tasks with sampled architecture: depth in [minDepth, maxDepth], widths log-uniform in
 * [minWidth, maxWidth], activation, resolution and batch size from the given choices, one dataset.
 */
public record ImageMlpFamily(String dataset, int[] resolutions, int minDepth, int maxDepth, int minWidth, int maxWidth,
                             ImageMlpTask.Activation[] activations, int[] batchSizes, Path dataDir) implements TaskFamily {
    /** The family used by tests and small meta-training runs: Fashion-MNIST 8×8, 1–2 hidden layers of 16–64. */
    public static ImageMlpFamily small(Path dataDir) {
        return new ImageMlpFamily("fashion_mnist", new int[] {8}, 1, 2, 16, 64,
                new ImageMlpTask.Activation[] {ImageMlpTask.Activation.RELU, ImageMlpTask.Activation.TANH}, new int[] {64, 128}, dataDir);
    }

    @Override public String name() { return "ImageMlpFamily_" + dataset; }

    private static double u(RandomKey k, int i) { return k.sample(Op.Dist.UNIFORM, DType.F64, i); }

    @Override public Task sample(RandomKey key) {
        int depth = minDepth + (int) (u(key, 0) * (maxDepth - minDepth + 1));
        int[] hidden = new int[depth];
        for (int i = 0; i < depth; i++) hidden[i] = (int) Math.round(Math.exp(Math.log(minWidth) + u(key, 1 + i) * Math.log((double) maxWidth / minWidth)));
        ImageMlpTask.Activation act = activations[(int) (u(key, 10) * activations.length)];
        int res = resolutions[(int) (u(key, 11) * resolutions.length)];
        int bs = batchSizes[(int) (u(key, 12) * batchSizes.length)];
        String name = "ImageMLP_" + dataset + res + "_" + act.name().toLowerCase() + java.util.Arrays.toString(hidden).replace(" ", "") + "_bs" + bs;
        return new ImageMlpTask(name, dataset, res, hidden, act, bs, false, dataDir);
    }
}
