package org.lopt4j.metatrain.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * The data embedded in the jar, shared by its reader and {@link EmbeddedDataGenerator}.
 *
 * <p>Fashion-MNIST at 8×8 and 16×16 and MNIST at 8×8 and 14×14 ({@link #IMAGE_SETS}), after the resize step, as
 * gzipped IDX files of big-endian 16-bit fixed-point values (IDX type code 0x0B): value × 16 at 8×8, × 4 at 14×14 and
 * × 64 at 16×16. Every 28→8 bilinear weight product is a multiple of 1/16 (weights 0.25/0.75 on each axis), every
 * 28→14 product is 1/4 (weights 0.5/0.5: the mean of a 2×2 block) and every 28→16 product a multiple of 1/64 (weights
 * k/8), so the stored values are the float resize results exactly (maximum error 0; the generator checks it), and
 * after {@code / 255} the pixels are bit for bit those computed from the IDX files. The training resource holds, in
 * split order, the first {@link #kept} images of {@code train}, {@code inner_valid} and {@code outer_valid}: all
 * 60,000 at 8×8 and 14×14 (MNIST at 14×14: 5.8 MB gzipped for training, 1.0 MB for test, the data of the G.pt nano
 * checkpoint dataset); at 16×16 the first 16,000 / 2,000 / 2,000 (a third of each split: all 60,000 would be 18.7 MB
 * gzipped, over the 8 MB a resource may take), so every embedded split is a prefix of the
 * split read from the IDX files. The test resources hold all 10,000 images. Label files are the original ones. Other
 * datasets and sizes (the 28×28 tasks among them) are read from the IDX files with {@code --data-dir}.
 *
 * <p>Tiny Shakespeare is the original {@code input.txt}, gzipped.
 */
final class EmbeddedData {
    /** Class-path folder of the embedded data; each dataset has its own subfolder. */
    static final String ROOT = "/org/lopt4j/metatrain/data/";
    static final String TINY_SHAKESPEARE = ROOT + "tiny_shakespeare/input.txt.gz";
    /** The embedded image datasets. */
    static final List<ImageSet> IMAGE_SETS = List.of(new ImageSet("fashion_mnist", List.of(8, 16)), new ImageSet("mnist", List.of(8, 14)));
    /** Images kept at 16×16 of the training splits. */
    static final int KEEP_16_TRAIN = 16_000, KEEP_16_VALID = 2_000;
    /** Splits of the official training set in the order the training resource stores them. */
    static final Split[] TRAIN_PARTS = {Split.TRAIN, Split.INNER_VALID, Split.OUTER_VALID};

    /**
     * An embedded image dataset: {@code name} as {@link Datasets} calls it, which also names its resource folder, and
     * the square sizes embedded.
     */
    record ImageSet(String name, List<Integer> sizes) {
        /** Its class-path folder. */
        String folder() { return ROOT + name + "/"; }

        String imagesResource(int size, boolean test) { return folder() + imagesFile(size, test); }

        String labelsResource(boolean test) { return folder() + labelsFile(test); }

        @Override public String toString() {
            return name + " at " + String.join(" and ", sizes.stream().map(s -> s + "x" + s).toList());
        }
    }

    private EmbeddedData() {}

    /** Fixed-point scale of the stored values at {@code size}. */
    static int scale(int size) {
        return switch (size) {
            case 8 -> 16;
            case 14 -> 4;
            case 16 -> 64;
            default -> throw new IllegalArgumentException("no embedded data at " + size + "x" + size);
        };
    }

    /** File name of the images at {@code size} in a dataset's folder. */
    static String imagesFile(int size, boolean test) { return (test ? "t10k" : "train") + "-images-" + size + "x" + size + "-idx3-short.gz"; }

    /** File name of the labels in a dataset's folder: the original IDX file's name. */
    static String labelsFile(boolean test) { return (test ? "t10k" : "train") + "-labels-idx1-ubyte.gz"; }

    /** Images of {@code split} kept at {@code size}, for a set of {@code n} examples (train) or the test set. */
    static int kept(int size, Split split, int n) {
        int all = split.end(n) - split.start(n);
        if (size != 16 || split == Split.TEST) return all;
        return Math.min(all, split == Split.TRAIN ? KEEP_16_TRAIN : KEEP_16_VALID);
    }

    /** Position in the training resource of the first image of {@code split}. */
    static int offset(int size, Split split, int n) {
        int off = 0;
        for (Split s : TRAIN_PARTS) {
            if (s == split) return off;
            off += kept(size, s, n);
        }
        return 0; // TEST: its own resource
    }

    /** Images in the training resource at {@code size}. */
    static int trainTotal(int size, int n) { return offset(size, Split.OUTER_VALID, n) + kept(size, Split.OUTER_VALID, n); }

    /** {@code split} of the image dataset {@code name} through {@code p}, at a size {@link #IMAGE_SETS} lists for it. */
    static ImageDataset images(String name, Preprocess p, Split split) throws IOException {
        int size = p.height();
        ImageSet set = IMAGE_SETS.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        if (set == null || p.width() != size || !set.sizes().contains(size)) {
            throw new IllegalArgumentException(name + " at " + p.height() + "x" + p.width() + " is not embedded (embedded: "
                    + IMAGE_SETS.stream().map(ImageSet::toString).collect(Collectors.joining(", ")) + "); pass --data-dir with the files");
        }
        boolean test = split == Split.TEST;
        String labelsName = set.labelsResource(test), imagesName = set.imagesResource(size, test);
        int[] allLabels;
        try (DataInputStream in = open(labelsName)) { allLabels = Idx.labels(in, Path.of(labelsName)); }
        Idx.ShortImages im;
        try (DataInputStream in = open(imagesName)) { im = Idx.shortImages(in, Path.of(imagesName)); }
        int n = allLabels.length, expected = test ? n : trainTotal(size, n);
        if (im.n() != expected || im.rows() != size || im.cols() != size) {
            throw new DataFormatException(Path.of(imagesName), im.n() + " images of " + im.rows() + "x" + im.cols() + ", expected "
                    + expected + " of " + size + "x" + size + " for " + n + " labels");
        }
        int count = kept(size, split, n), from = offset(size, split, n), px = size * size, scale = scale(size);
        float[] resized = new float[count * px];
        for (int i = 0; i < resized.length; i++) resized[i] = im.values()[from * px + i] / (float) scale;
        int[] labels = Arrays.copyOfRange(allLabels, split.start(n), split.start(n) + count);
        return new ImageDataset(name, count, size, size, p.channels(1), p.afterResize(resized, count, 1), labels, 10);
    }

    /** The embedded Tiny Shakespeare text. */
    static String tinyShakespeare() throws IOException {
        try (InputStream in = open(TINY_SHAKESPEARE)) { return new String(in.readAllBytes(), StandardCharsets.UTF_8); }
    }

    /** A gzipped class-path resource, decompressed. */
    static DataInputStream open(String name) throws IOException {
        InputStream raw = EmbeddedData.class.getResourceAsStream(name);
        if (raw == null) throw new DataFormatException(Path.of(name), "class-path resource missing (expected in the lopt4j-metatrain jar)");
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
    }
}
