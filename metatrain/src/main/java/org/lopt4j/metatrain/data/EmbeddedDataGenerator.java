package org.lopt4j.metatrain.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Makes the embedded data ({@link EmbeddedData}) from the real files: checks their SHA-256 against
 * shared/data/README.md, resizes each of {@link EmbeddedData#IMAGE_SETS} (Fashion-MNIST to 8×8 and 16×16, MNIST to
 * 8×8 and 14×14) with {@link Resize}, writes gzipped 16-bit fixed-point IDX files (failing if a value is not exactly
 * representable), copies the label files and gzips Tiny Shakespeare. The NOTICE files beside the resources are kept
 * in the repository by hand. Usage: {@code EmbeddedDataGenerator <shared data dir> <resource dir>} (see
 * metatrain/tools/make-embedded-data.sh). The output is deterministic (Java's gzip header has no time stamp), so
 * regenerating reproduces the committed bytes.
 */
public final class EmbeddedDataGenerator {
    /** SHA-256 of the source files, from shared/data/README.md. */
    static final Map<String, String> SHA256 = new TreeMap<>(Map.of(
            "fashion-mnist/train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "fashion-mnist/train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "fashion-mnist/t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "fashion-mnist/t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "mnist/train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "mnist/train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "mnist/t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "mnist/t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "tinyshakespeare/input.txt", "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"));

    private EmbeddedDataGenerator() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: EmbeddedDataGenerator <shared data dir> <resource dir>");
        Path src = Path.of(args[0]), res = Path.of(args[1]);
        for (var e : SHA256.entrySet()) {
            Path f = src.resolve(e.getKey());
            if (!Files.isRegularFile(f)) throw new DataFormatException(f, "no such file");
            String got = sha256(f);
            if (!got.equals(e.getValue())) throw new DataFormatException(f, "SHA-256 " + got + ", expected " + e.getValue());
        }
        for (EmbeddedData.ImageSet set : EmbeddedData.IMAGE_SETS) writeImageSet(set, src.resolve(Datasets.idxFolder(set.name())), res.resolve(set.name()));
        Path text = res.resolve("tiny_shakespeare");
        Files.createDirectories(text);
        Path shakespeare = text.resolve("input.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(shakespeare), 1 << 16)) {
            o.write(Files.readAllBytes(src.resolve("tinyshakespeare/input.txt")));
        }
        System.out.printf("%s: %d bytes%n", shakespeare, Files.size(shakespeare));
    }

    /** Writes {@code set}'s images at each of its sizes and its label files into {@code out}, from the IDX files in {@code idx}. */
    private static void writeImageSet(EmbeddedData.ImageSet set, Path idx, Path out) throws IOException {
        Files.createDirectories(out);
        for (boolean test : new boolean[] {false, true}) {
            String prefix = test ? "t10k" : "train";
            Idx.Images im = Idx.images(idx.resolve(prefix + "-images-idx3-ubyte.gz"));
            for (int size : set.sizes()) {
                byte[] kept = test ? im.pixels() : keptTrainImages(im, size);
                int n = kept.length / (im.rows() * im.cols());
                float[] px = Resize.bilinear(kept, n, im.rows(), im.cols(), 1, size, size);
                writeFixedPoint(out.resolve(EmbeddedData.imagesFile(size, test)), px, n, size, EmbeddedData.scale(size));
            }
            String labels = EmbeddedData.labelsFile(test);
            Files.write(out.resolve(labels), Files.readAllBytes(idx.resolve(labels))); // bytes only, not the source's permissions
        }
    }

    /** The first {@link EmbeddedData#kept} images of train, inner_valid and outer_valid, concatenated. */
    static byte[] keptTrainImages(Idx.Images im, int size) {
        int px = im.rows() * im.cols();
        byte[] out = new byte[EmbeddedData.trainTotal(size, im.n()) * px];
        for (Split s : EmbeddedData.TRAIN_PARTS) {
            System.arraycopy(im.pixels(), s.start(im.n()) * px, out, EmbeddedData.offset(size, s, im.n()) * px, EmbeddedData.kept(size, s, im.n()) * px);
        }
        return out;
    }

    private static void writeFixedPoint(Path f, float[] px, int n, int size, int scale) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(f), 1 << 16)))) {
            o.writeInt(Idx.SHORT_IMAGES_MAGIC);
            o.writeInt(n);
            o.writeInt(size);
            o.writeInt(size);
            for (float v : px) {
                float fixed = v * scale;
                if (fixed != Math.rint(fixed)) throw new IllegalStateException(f + ": value " + v + " is not a multiple of 1/" + scale);
                o.writeShort((int) fixed);
            }
        }
        System.out.printf("%s: %d images %dx%d, %d bytes%n", f, n, size, size, Files.size(f));
    }

    /** Hex SHA-256 of a file's bytes. */
    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) { return sha256(in); }
    }

    /** Hex SHA-256 of a stream's remaining bytes. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        return HexFormat.of().formatHex(md.digest());
    }
}
