package org.lopt4j.metatrain.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Image datasets by name ("fashion_mnist", "mnist"), resolution and split, from full IDX files in a data directory
 * ({@code <dir>/<name with '-'>/...-idx3-ubyte.gz}) or, with no directory, from the embedded Fashion-MNIST at 8×8 and
 * 16×16 (no download needed; at 16×16 the embedded training set is its first 24,000 images). Pixels are resized as learned_optimization does (see {@link Resize}), then divided by 255.
 * Loaded datasets are cached.
 */
public final class Datasets {
    /** Class-path folder of the embedded data (made by {@link EmbeddedDataGenerator}). */
    static final String EMBEDDED = "/org/lopt4j/metatrain/data/fashion_mnist/";
    /** Fixed-point scale of the embedded resized pixels: 28→8 and 28→16 bilinear values are exact multiples of 1/16 and 1/64. */
    static int embeddedScale(int size) { return size == 8 ? 16 : 64; }

    private static final Map<String, ImageDataset> CACHE = new ConcurrentHashMap<>();

    private Datasets() {}

    /** A dataset split at {@code size}×{@code size}; {@code dataDir} null means the embedded data. */
    public static ImageDataset image(String name, int size, Split split, Path dataDir) throws IOException {
        String key = name + "/" + size + "/" + split + "/" + dataDir;
        ImageDataset hit = CACHE.get(key);
        if (hit != null) return hit;
        ImageDataset full = dataDir == null ? embedded(name, size, split == Split.TEST) : fromIdx(name, size, split == Split.TEST, dataDir);
        ImageDataset out = split == Split.TEST ? full : full.slice(split.start(full.n()), split.end(full.n()));
        CACHE.put(key, out);
        return out;
    }

    private static ImageDataset fromIdx(String name, int size, boolean test, Path dir) throws IOException {
        Path d = dir.resolve(name.replace('_', '-'));
        String prefix = test ? "t10k" : "train";
        Idx.Images im = Idx.images(d.resolve(prefix + "-images-idx3-ubyte.gz"));
        int[] labels = Idx.labels(d.resolve(prefix + "-labels-idx1-ubyte.gz"));
        if (labels.length != im.n()) throw new DataFormatException(d, im.n() + " images but " + labels.length + " labels");
        float[] px;
        if (size == im.rows() && size == im.cols()) {
            px = new float[im.pixels().length];
            for (int i = 0; i < px.length; i++) px[i] = (im.pixels()[i] & 0xFF);
        } else {
            px = Resize.bilinear(im.pixels(), im.n(), im.rows(), im.cols(), 1, size, size);
        }
        for (int i = 0; i < px.length; i++) px[i] /= 255f;
        return new ImageDataset(name, im.n(), size, size, 1, px, labels, 10);
    }

    private static ImageDataset embedded(String name, int size, boolean test) throws IOException {
        if (!name.equals("fashion_mnist") || (size != 8 && size != 16)) {
            throw new IOException("only fashion_mnist at 8x8 and 16x16 is embedded; pass --data-dir with the IDX files for "
                    + name + " at " + size + "x" + size);
        }
        String prefix = test ? "t10k" : "train";
        Idx.ShortImages im;
        int[] labels;
        try (DataInputStream in = Idx.openResource(EMBEDDED + prefix + "-images-" + size + "x" + size + "-idx3-short.gz")) {
            im = Idx.shortImages(in, Path.of(EMBEDDED, prefix + "-images"));
        }
        try (DataInputStream in = Idx.openResource(EMBEDDED + prefix + "-labels-idx1-ubyte.gz")) {
            labels = Idx.labels(in, Path.of(EMBEDDED, prefix + "-labels"));
        }
        if (labels.length < im.n()) throw new DataFormatException(Path.of(EMBEDDED), im.n() + " images but " + labels.length + " labels");
        labels = java.util.Arrays.copyOf(labels, im.n()); // the 16x16 training images are a prefix of the set
        float[] px = new float[im.values().length];
        for (int i = 0; i < px.length; i++) px[i] = (im.values()[i] / (float) embeddedScale(size)) / 255f;
        return new ImageDataset(name, im.n(), size, size, 1, px, labels, 10);
    }
}
