package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * Image-MLP tasks with sampled architecture (learned_optimization's parametric image-MLP family): depth in
 * [minDepth, maxDepth], widths log-uniform in [minWidth, maxWidth], dataset, activation, resolution and batch size from
 * the given choices; classifiers, or autoencoders ({@code ImageMLPAE}) when {@code autoencoder}.
 */
public record ImageMlpFamily(String name, String[] datasets, int[] resolutions, int minDepth, int maxDepth, int minWidth, int maxWidth,
                             ImageMlpTask.Activation[] activations, int[] batchSizes, boolean autoencoder, Path dataDir) implements TaskFamily {
    /** The family used by tests and small meta-training runs: Fashion-MNIST 8×8, 1–2 hidden layers of 16–64. */
    public static ImageMlpFamily small(Path dataDir) {
        return new ImageMlpFamily("ImageMlpFamily_fashion_mnist", new String[] {"fashion_mnist"}, new int[] {8}, 1, 2, 16, 64,
                new ImageMlpTask.Activation[] {ImageMlpTask.Activation.RELU, ImageMlpTask.Activation.TANH}, new int[] {64, 128}, false, dataDir);
    }

    /**
     * Self-training's family (pbt_selftraining.md §4): 64→h→10 MLPs, h log-uniform in [16, 32], ReLU or tanh, batch
     * 32, on 8×8 images of {@code datasets}.
     */
    public static ImageMlpFamily selfTraining(String name, Path dataDir, String... datasets) {
        return new ImageMlpFamily(name, datasets, new int[] {8}, 1, 1, 16, 32,
                new ImageMlpTask.Activation[] {ImageMlpTask.Activation.RELU, ImageMlpTask.Activation.TANH}, new int[] {32}, false, dataDir);
    }

    @Override public java.util.List<Task> dataSamples() {
        java.util.List<Task> out = new java.util.ArrayList<>();
        for (String d : datasets) for (int res : resolutions) out.add(new ImageMlpTask("ImageMLP_" + d + res, d, res, new int[] {minWidth}, activations[0], batchSizes[0], autoencoder, dataDir));
        return out;
    }

    private static double u(RandomKey k, int i) { return k.sample(Op.Dist.UNIFORM, DType.F64, i); }

    @Override public Task sample(RandomKey key) {
        int depth = minDepth + (int) (u(key, 0) * (maxDepth - minDepth + 1));
        int[] hidden = new int[depth];
        for (int i = 0; i < depth; i++) hidden[i] = (int) Math.round(Math.exp(Math.log(minWidth) + u(key, 1 + i) * Math.log((double) maxWidth / minWidth)));
        ImageMlpTask.Activation act = activations[(int) (u(key, 10) * activations.length)];
        int res = resolutions[(int) (u(key, 11) * resolutions.length)];
        int bs = batchSizes[(int) (u(key, 12) * batchSizes.length)];
        String dataset = datasets[(int) (u(key, 13) * datasets.length)];
        String taskName = (autoencoder ? "ImageMLPAE_" : "ImageMLP_") + dataset + res + "_" + act.name().toLowerCase() + java.util.Arrays.toString(hidden).replace(" ", "") + "_bs" + bs;
        return new ImageMlpTask(taskName, dataset, res, hidden, act, bs, autoencoder, dataDir);
    }
}
