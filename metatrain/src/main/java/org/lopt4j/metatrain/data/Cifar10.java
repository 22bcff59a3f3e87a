package org.lopt4j.metatrain.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reader for CIFAR-10 binary batches: records of 1 label byte and 3,072 pixel bytes (1,024 red, 1,024 green,
 * 1,024 blue, each a 32×32 plane, row-major), converted to NHWC.
 */
public final class Cifar10 {
    /** Bytes per record: the label, then the red, green and blue planes. */
    public static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10() {}

    /** Images {@code [n, 32, 32, 3]} as unsigned bytes in NHWC order, and labels. */
    public record Batch(int n, byte[] nhwc, int[] labels) {}

    /** Reads one batch file; its size must be a positive multiple of {@link #RECORD}. */
    public static Batch read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "no such file (expected a CIFAR-10 binary batch)");
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0 || size > Integer.MAX_VALUE - 16) {
            throw new DataFormatException(file, size + " bytes is not a positive multiple of the " + RECORD + "-byte CIFAR-10 record");
        }
        byte[] all = Files.readAllBytes(file);
        int n = (int) (size / RECORD);
        byte[] px = new byte[n * 3072];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            int base = r * RECORD;
            labels[r] = all[base] & 0xFF;
            if (labels[r] > 9) throw new DataFormatException(file, "record " + r + " has label " + labels[r] + ", expected 0..9");
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 1024; i++) px[r * 3072 + i * 3 + c] = all[base + 1 + c * 1024 + i];
            }
        }
        return new Batch(n, px, labels);
    }
}
