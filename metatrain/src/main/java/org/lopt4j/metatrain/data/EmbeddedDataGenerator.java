package org.lopt4j.metatrain.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Makes the embedded default data from the real Fashion-MNIST files: verifies their SHA-256, resizes to 8×8 and
 * 16×16 with {@link Resize}, and writes gzipped IDX files of 16-bit fixed-point values (×16 and ×64, which are exact
 * for these bilinear weights; the generator checks it) plus copies of the label files. Usage:
 * {@code EmbeddedDataGenerator <fashion-mnist dir> <output dir>} (see metatrain/tools/make-embedded-data.sh).
 * At 16×16 only the first {@link #TRAIN_16} training images are kept, so that each resource stays under 8 MB
 * (all 60,000 would take 18.7 MB); full resolution data comes from {@code --data-dir}.
 */
public final class EmbeddedDataGenerator {
    static final Map<String, String> SHA256 = Map.of(
            "train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

    /** Training images kept at 16×16. */
    static final int TRAIN_16 = 24_000;

    private EmbeddedDataGenerator() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: EmbeddedDataGenerator <fashion-mnist dir> <output dir>");
        Path src = Path.of(args[0]), out = Path.of(args[1]);
        Files.createDirectories(out);
        for (var e : SHA256.entrySet()) {
            String got = sha256(src.resolve(e.getKey()));
            if (!got.equals(e.getValue())) throw new IOException(src.resolve(e.getKey()) + ": SHA-256 " + got + ", expected " + e.getValue());
        }
        for (String prefix : new String[] {"train", "t10k"}) {
            Idx.Images im = Idx.images(src.resolve(prefix + "-images-idx3-ubyte.gz"));
            for (int size : new int[] {8, 16}) {
                int n = size == 16 && prefix.equals("train") ? TRAIN_16 : im.n();
                float[] px = Resize.bilinear(im.pixels(), n, im.rows(), im.cols(), 1, size, size);
                int scale = Datasets.embeddedScale(size);
                Path f = out.resolve(prefix + "-images-" + size + "x" + size + "-idx3-short.gz");
                try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(f), 1 << 16)))) {
                    o.writeInt(Idx.SHORT_IMAGES_MAGIC);
                    o.writeInt(n);
                    o.writeInt(size);
                    o.writeInt(size);
                    for (float v : px) {
                        float fixed = v * scale;
                        if (fixed != Math.rint(fixed)) throw new IllegalStateException("value " + v + " is not a multiple of 1/" + scale);
                        o.writeShort((int) fixed);
                    }
                }
                System.out.printf("%s: %d images %dx%d, %d bytes%n", f, n, size, size, Files.size(f));
            }
            Files.copy(src.resolve(prefix + "-labels-idx1-ubyte.gz"), out.resolve(prefix + "-labels-idx1-ubyte.gz"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
