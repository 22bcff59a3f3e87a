package org.lopt4j.metatrain.gpt.data;

import java.io.IOException;
import java.nio.file.Path;
import org.lopt4j.metatrain.data.Datasets;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;

/**
 * The images of the checkpoint dataset: MNIST resized to the net's size, training on the whole official training set
 * (train, inner_valid and outer_valid in file order) and measuring on the first images of the official test set.
 * {@code dataDir} null means the embedded data (14×14 and 8×8 only; 28×28 needs the IDX files).
 */
public final class TaskData {
    /** The dataset the task nets are trained on. */
    public static final String DATASET = "mnist";

    private TaskData() {}

    /** All 60,000 training images at {@code size}×{@code size}, pixels in [0, 1]. */
    public static ImageDataset train(int size, Path dataDir) throws IOException {
        ImageDataset[] parts = new ImageDataset[3];
        Split[] splits = {Split.TRAIN, Split.INNER_VALID, Split.OUTER_VALID};
        int n = 0;
        for (int i = 0; i < 3; i++) {
            parts[i] = Datasets.image(DATASET, size, splits[i], dataDir);
            n += parts[i].n();
        }
        float[] px = new float[n * size * size];
        int[] labels = new int[n];
        int at = 0;
        for (ImageDataset d : parts) {
            System.arraycopy(d.pixels(), 0, px, at * d.features(), d.pixels().length);
            System.arraycopy(d.labels(), 0, labels, at, d.n());
            at += d.n();
        }
        return new ImageDataset(DATASET, n, size, size, 1, px, labels, 10);
    }

    /** The first {@code n} images of the official test set. */
    public static ImageDataset test(int size, int n, Path dataDir) throws IOException {
        ImageDataset all = Datasets.image(DATASET, size, Split.TEST, dataDir);
        if (n > all.n()) throw new IllegalArgumentException(n + " test images asked, the test set has " + all.n());
        return all.slice(0, n);
    }
}
