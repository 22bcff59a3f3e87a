package org.lopt4j.metatrain.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for gzipped IDX files (MNIST, Fashion-MNIST; shared/data/README.md): big-endian int32 header (magic, then one
 * int32 per dimension), then the values. Missing, non-gzip, truncated or malformed files give a
 * {@link DataFormatException} naming the file and what was expected.
 */
public final class Idx {
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801, SHORT_IMAGES_MAGIC = 0x00000B03;

    private Idx() {}

    /** Images as unsigned bytes, image after image, row-major: {@code [n, rows, cols]}. */
    public record Images(int n, int rows, int cols, byte[] pixels) {}

    /** IDX images of big-endian 16-bit values (type code 0x0B), as the embedded resized data stores them. */
    public record ShortImages(int n, int rows, int cols, short[] values) {}

    /** Reads a gzipped IDX image file (magic 0x00000803); errors name the file. */
    public static Images images(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file, IMAGES_MAGIC, "IDX images", 1);
            byte[] px = new byte[dims[0] * dims[1] * dims[2]];
            readFully(in, px, file);
            atEnd(in, file, dims[0] + " images");
            return new Images(dims[0], dims[1], dims[2], px);
        }
    }

    /** Reads a gzipped IDX file of 16-bit images (magic 0x00000B03); errors name the file. */
    public static ShortImages shortImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) { return shortImages(in, file); }
    }

    static ShortImages shortImages(DataInputStream in, Path file) throws IOException {
        int[] dims = header(in, file, SHORT_IMAGES_MAGIC, "IDX 16-bit images", 2);
        byte[] raw = new byte[2 * dims[0] * dims[1] * dims[2]];
        readFully(in, raw, file);
        atEnd(in, file, dims[0] + " images");
        short[] v = new short[raw.length / 2];
        for (int i = 0; i < v.length; i++) v[i] = (short) (((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF));
        return new ShortImages(dims[0], dims[1], dims[2], v);
    }

    /** Reads a gzipped IDX label file (magic 0x00000801): unsigned bytes widened to int. */
    public static int[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) { return labels(in, file); }
    }

    static int[] labels(DataInputStream in, Path file) throws IOException {
        int n = header(in, file, LABELS_MAGIC, "IDX labels", 1)[0];
        byte[] b = new byte[n];
        readFully(in, b, file);
        atEnd(in, file, n + " labels");
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = b[i] & 0xFF;
        return out;
    }

    /** Checks the magic and reads the dimensions (3 for images, 1 for labels); all must be positive. */
    private static int[] header(DataInputStream in, Path file, int magic, String what, int bytesPerValue) throws IOException {
        try {
            int got = in.readInt();
            if (got != magic) throw new DataFormatException(file, String.format("magic 0x%08x, expected 0x%08x (%s)", got, magic, what));
            int[] dims = new int[magic & 0xFF];
            double values = 1; // double: a product of three ints can overflow a long
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                values *= Math.max(dims[i], 1);
            }
            for (int d : dims) {
                if (d <= 0) throw new DataFormatException(file, "bad dimensions " + dimString(dims) + " (" + what + "), expected all positive");
            }
            if (values * bytesPerValue > Integer.MAX_VALUE - 16) throw new DataFormatException(file, "dimensions " + dimString(dims) + " too large for one array");
            return dims;
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated IDX header (expected " + what + ")");
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")");
        }
    }

    private static String dimString(int[] dims) {
        StringBuilder b = new StringBuilder();
        for (int d : dims) b.append(b.isEmpty() ? "" : "x").append(d);
        return b.toString();
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "no such file (expected a gzipped IDX file)");
        InputStream raw = Files.newInputStream(file);
        try {
            return new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
        } catch (ZipException e) {
            raw.close();
            throw new DataFormatException(file, "not a gzip stream (" + e.getMessage() + ")");
        } catch (EOFException e) {
            raw.close();
            throw new DataFormatException(file, "truncated gzip header");
        }
    }

    private static void readFully(DataInputStream in, byte[] b, Path file) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated: expected " + b.length + " data bytes after the header");
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")");
        }
    }

    /** The stream must end here (also makes GZIPInputStream check the CRC-32 and length trailer). */
    private static void atEnd(DataInputStream in, Path file, String what) throws IOException {
        try {
            if (in.read() != -1) throw new DataFormatException(file, "trailing bytes after " + what);
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated gzip trailer after " + what);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data after " + what + " (" + e.getMessage() + ")");
        }
    }
}
