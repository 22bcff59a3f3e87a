package org.lopt4j.metatrain.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The data embedded in the jar, shared by its reader and {@link EmbeddedDataGenerator}.
 *
 * <p>Fashion-MNIST after the resize step, as gzipped IDX files of big-endian 16-bit fixed-point values (IDX type code
 * 0x0B): value × 16 at 8×8 and × 64 at 16×16. Every 28→8 bilinear weight product is a multiple of 1/16 (weights
 * 0.25/0.75 on each axis) and every 28→16 product a multiple of 1/64 (weights k/8), so the stored values are the float
 * resize results exactly (maximum error 0; the generator checks it), and after {@code / 255} the pixels are bit for
 * bit those computed from the IDX files. The training resource holds, in split order, the first {@link #kept} images
 * of {@code train}, {@code inner_valid} and {@code outer_valid}: all 60,000 at 8×8; at 16×16 the first 16,000 /
 * 2,000 / 2,000 (a third of each split: all 60,000 would be 18.7 MB gzipped, over the 8 MB a resource may take), so
 * every embedded split is a prefix of the split read from the IDX files. The test resources hold all 10,000 images.
 * Label files are the original ones.
 *
 * <p>Tiny Shakespeare is the original {@code input.txt}, gzipped.
 */
final class EmbeddedData {
    static final String FASHION_MNIST = "/org/lopt4j/metatrain/data/fashion_mnist/";
    static final String TINY_SHAKESPEARE = "/org/lopt4j/metatrain/data/tiny_shakespeare/input.txt.gz";
    /** Resolutions embedded. */
    static final int[] SIZES = {8, 16};
    /** Images kept at 16×16 of the training splits. */
    static final int KEEP_16_TRAIN = 16_000, KEEP_16_VALID = 2_000;
    /** Splits of the official training set in the order the training resource stores them. */
    static final Split[] TRAIN_PARTS = {Split.TRAIN, Split.INNER_VALID, Split.OUTER_VALID};

    private EmbeddedData() {}

    /** Fixed-point scale of the stored values at {@code size}. */
    static int scale(int size) {
        return switch (size) {
            case 8 -> 16;
            case 16 -> 64;
            default -> throw new IllegalArgumentException("no embedded data at " + size + "x" + size);
        };
    }

    static String imagesResource(int size, boolean test) { return FASHION_MNIST + (test ? "t10k" : "train") + "-images-" + size + "x" + size + "-idx3-short.gz"; }

    static String labelsResource(boolean test) { return FASHION_MNIST + (test ? "t10k" : "train") + "-labels-idx1-ubyte.gz"; }

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

    /** Fashion-MNIST {@code split} through {@code p} (8×8 or 16×16 only). */
    static ImageDataset fashionMnist(Preprocess p, Split split) throws IOException {
        int size = p.height();
        if (p.width() != size || (size != 8 && size != 16)) {
            throw new IllegalArgumentException("only fashion_mnist at 8x8 and 16x16 is embedded, not " + p.height() + "x" + p.width()
                    + "; pass --data-dir with the IDX files");
        }
        boolean test = split == Split.TEST;
        String labelsName = labelsResource(test), imagesName = imagesResource(size, test);
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
        return new ImageDataset("fashion_mnist", count, size, size, p.channels(1), p.afterResize(resized, count, 1), labels, 10);
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
