package org.lopt4j.metatrain.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reader for gzipped IDX files (MNIST, Fashion-MNIST): big-endian header, unsigned bytes. */
public final class Idx {
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801, SHORT_IMAGES_MAGIC = 0x00000B03;

    private Idx() {}

    /** Images as unsigned bytes, image after image, row-major: {@code [n, rows, cols]}. */
    public record Images(int n, int rows, int cols, byte[] pixels) {}

    public static Images images(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) throw new DataFormatException(file, String.format("magic 0x%08x, expected 0x%08x (IDX images)", magic, IMAGES_MAGIC));
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0 || (long) n * rows * cols > Integer.MAX_VALUE) {
                throw new DataFormatException(file, "bad dimensions " + n + "x" + rows + "x" + cols);
            }
            byte[] px = new byte[n * rows * cols];
            readFully(in, px, file);
            if (in.read() != -1) throw new DataFormatException(file, "trailing bytes after " + n + " images");
            return new Images(n, rows, cols, px);
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated IDX header");
        }
    }

    /** IDX images of big-endian 16-bit values (type code 0x0B), as the embedded resized data stores them. */
    public record ShortImages(int n, int rows, int cols, short[] values) {}

    public static ShortImages shortImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) { return shortImages(in, file); }
    }

    static ShortImages shortImages(DataInputStream in, Path file) throws IOException {
        try {
            int magic = in.readInt();
            if (magic != SHORT_IMAGES_MAGIC) throw new DataFormatException(file, String.format("magic 0x%08x, expected 0x%08x (IDX 16-bit images)", magic, SHORT_IMAGES_MAGIC));
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0 || (long) n * rows * cols > Integer.MAX_VALUE / 2) {
                throw new DataFormatException(file, "bad dimensions " + n + "x" + rows + "x" + cols);
            }
            byte[] raw = new byte[2 * n * rows * cols];
            readFully(in, raw, file);
            short[] v = new short[n * rows * cols];
            for (int i = 0; i < v.length; i++) v[i] = (short) (((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF));
            return new ShortImages(n, rows, cols, v);
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated IDX header");
        }
    }

    /** Opens a gzipped IDX stream from a class-path resource. */
    static DataInputStream openResource(String name) throws IOException {
        InputStream raw = Idx.class.getResourceAsStream(name);
        if (raw == null) throw new DataFormatException(Path.of(name), "class-path resource missing");
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
    }

    public static int[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) { return labels(in, file); }
    }

    static int[] labels(DataInputStream in, Path file) throws IOException {
        try {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) throw new DataFormatException(file, String.format("magic 0x%08x, expected 0x%08x (IDX labels)", magic, LABELS_MAGIC));
            int n = in.readInt();
            if (n < 0) throw new DataFormatException(file, "negative label count " + n);
            byte[] b = new byte[n];
            readFully(in, b, file);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = b[i] & 0xFF;
            return out;
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated IDX header");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "no such file (expected a gzipped IDX file)");
        InputStream raw = Files.newInputStream(file);
        try {
            return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
        } catch (java.util.zip.ZipException e) {
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
            throw new DataFormatException(file, "truncated: expected " + b.length + " data bytes");
        } catch (java.util.zip.ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")");
        }
    }
}
