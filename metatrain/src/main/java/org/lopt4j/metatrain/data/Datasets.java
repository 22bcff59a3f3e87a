package org.lopt4j.metatrain.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Datasets by name, resolution and split, from a {@link DataSource}. Image names: {@code "fashion_mnist"},
 * {@code "mnist"} (gzipped IDX in {@code fashion-mnist/}, {@code mnist/}) and {@code "cifar10"}
 * ({@code cifar-10-batches-bin/data_batch_1..5.bin} and {@code test_batch.bin}); text: {@code "tiny_shakespeare"}
 * ({@code tinyshakespeare/input.txt}). The embedded source has Fashion-MNIST at 8×8 and 16×16 (at 16×16 a prefix of
 * each training split, see {@link EmbeddedData}), MNIST at 8×8 and 14×14 and Tiny Shakespeare; other datasets and sizes need a
 * directory. Splits follow {@link Split} (IDX/file order); pixels go through {@link Preprocess}. Loaded splits are
 * cached (each is a copy; loading a split reads its file).
 */
public final class Datasets {
    /** Image dataset names. */
    public static final List<String> IMAGE_NAMES = List.of("fashion_mnist", "mnist", "cifar10");
    /** The character-level text corpus. */
    public static final String TINY_SHAKESPEARE = "tiny_shakespeare";

    private record Key(String name, Preprocess preprocess, Split split, DataSource source) {}

    private static final Map<Key, ImageDataset> CACHE = new ConcurrentHashMap<>();
    private static final Map<DataSource, CharText> TEXT_CACHE = new ConcurrentHashMap<>();

    private Datasets() {}

    /** {@code name} resized to {@code size}×{@code size}; {@code dataDir} null means the embedded data. */
    public static ImageDataset image(String name, int size, Split split, Path dataDir) throws IOException {
        return image(name, Preprocess.resize(size), split, DataSource.of(dataDir));
    }

    /** {@code name} resized to {@code size}×{@code size} and scaled to [0, 1]. */
    public static ImageDataset image(String name, int size, Split split, DataSource source) throws IOException {
        return image(name, Preprocess.resize(size), split, source);
    }

    /** {@code split} of {@code name} through the pipeline {@code p}. */
    public static ImageDataset image(String name, Preprocess p, Split split, DataSource source) throws IOException {
        if (!IMAGE_NAMES.contains(name)) throw new IllegalArgumentException("unknown image dataset '" + name + "', expected one of " + IMAGE_NAMES);
        Key key = new Key(name, p, split, source);
        ImageDataset hit = CACHE.get(key);
        if (hit != null) return hit;
        ImageDataset out = switch (source) {
            case DataSource.Embedded e -> EmbeddedData.images(name, p, split);
            case DataSource.Directory d -> {
                RawImages raw = name.equals("cifar10") ? cifar10(d.root(), split == Split.TEST) : idx(d.root(), name, split == Split.TEST);
                int n = raw.n(), from = split.start(n), to = split.end(n);
                RawImages part = raw.slice(from, to);
                float[] px = p.apply(part.pixels(), part.n(), part.h(), part.w(), part.c());
                yield new ImageDataset(name, part.n(), p.height(), p.width(), p.channels(part.c()), px, part.labels(), 10);
            }
        };
        CACHE.put(key, out);
        return out;
    }

    /** The character-level corpus {@code name} ({@code "tiny_shakespeare"}). */
    public static CharText text(String name, DataSource source) throws IOException {
        if (!name.equals(TINY_SHAKESPEARE)) throw new IllegalArgumentException("unknown text dataset '" + name + "', expected " + TINY_SHAKESPEARE);
        CharText hit = TEXT_CACHE.get(source);
        if (hit != null) return hit;
        CharText t = switch (source) {
            case DataSource.Embedded e -> CharText.of(EmbeddedData.tinyShakespeare(), EmbeddedData.TINY_SHAKESPEARE);
            case DataSource.Directory d -> CharText.read(d.root().resolve("tinyshakespeare/input.txt"));
        };
        TEXT_CACHE.put(source, t);
        return t;
    }

    /** Uint8 NHWC images with labels, before preprocessing. */
    record RawImages(int n, int h, int w, int c, byte[] pixels, int[] labels) {
        RawImages slice(int from, int to) {
            int f = h * w * c;
            return new RawImages(to - from, h, w, c, java.util.Arrays.copyOfRange(pixels, from * f, to * f),
                    java.util.Arrays.copyOfRange(labels, from, to));
        }
    }

    /** The folder of the IDX dataset {@code name} in a data directory ({@code fashion_mnist} → {@code fashion-mnist}). */
    static String idxFolder(String name) { return name.replace('_', '-'); }

    /** The training (or test) part of an IDX dataset in {@code root/<name with '-'>/}. */
    static RawImages idx(Path root, String name, boolean test) throws IOException {
        Path dir = root.resolve(idxFolder(name));
        String prefix = test ? "t10k" : "train";
        Path imagesFile = dir.resolve(prefix + "-images-idx3-ubyte.gz"), labelsFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        Idx.Images im = Idx.images(imagesFile);
        int[] labels = Idx.labels(labelsFile);
        if (labels.length != im.n()) {
            throw new DataFormatException(labelsFile, labels.length + " labels, expected " + im.n() + " to match " + imagesFile.getFileName());
        }
        checkLabels(labels, labelsFile);
        return new RawImages(im.n(), im.rows(), im.cols(), 1, im.pixels(), labels);
    }

    /** CIFAR-10's five training batches (or the test batch) in {@code root/cifar-10-batches-bin/}, in file order. */
    static RawImages cifar10(Path root, boolean test) throws IOException {
        Path dir = root.resolve("cifar-10-batches-bin");
        List<Path> files = test ? List.of(dir.resolve("test_batch.bin"))
                : java.util.stream.IntStream.rangeClosed(1, 5).mapToObj(i -> dir.resolve("data_batch_" + i + ".bin")).toList();
        List<Cifar10.Batch> batches = new java.util.ArrayList<>();
        int n = 0;
        for (Path f : files) {
            Cifar10.Batch b = Cifar10.read(f);
            batches.add(b);
            n = Math.addExact(n, b.n());
        }
        byte[] px = new byte[Math.multiplyExact(n, 3 * 32 * 32)];
        int[] labels = new int[n];
        int at = 0;
        for (Cifar10.Batch b : batches) {
            System.arraycopy(b.nhwc(), 0, px, at * 3072, b.nhwc().length);
            System.arraycopy(b.labels(), 0, labels, at, b.n());
            at += b.n();
        }
        return new RawImages(n, 32, 32, 3, px, labels);
    }

    private static void checkLabels(int[] labels, Path file) throws DataFormatException {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > 9) throw new DataFormatException(file, "label " + i + " is " + labels[i] + ", expected 0..9");
        }
    }
}
