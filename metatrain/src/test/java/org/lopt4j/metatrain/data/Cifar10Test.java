package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lopt4j.metatrain.data.IdxTest.assertMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 binary batches, on files the test writes (the real data is not available to the project). */
class Cifar10Test {
    @TempDir Path tmp;

    /** {@code n} random records with labels {@code label0, label0 + 1, ...} (mod 10). */
    static byte[] records(int n, int label0, long seed) {
        byte[] b = new byte[n * Cifar10.RECORD];
        new Random(seed).nextBytes(b);
        for (int r = 0; r < n; r++) b[r * Cifar10.RECORD] = (byte) ((label0 + r) % 10);
        return b;
    }

    @Test void recordsConvertFromPlanesToNhwc() throws Exception {
        byte[] rec = records(3, 7, 1);
        Path f = Files.write(tmp.resolve("data_batch_1.bin"), rec);
        Cifar10.Batch b = Cifar10.read(f);
        assertEquals(3, b.n());
        assertArrayEquals(new int[] {7, 8, 9}, b.labels());
        for (int r = 0; r < 3; r++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(rec[r * Cifar10.RECORD + 1 + c * 1024 + y * 32 + x], b.nhwc()[r * 3072 + (y * 32 + x) * 3 + c]);
                    }
                }
            }
        }
    }

    @Test void badFilesNameTheFileAndTheSize() throws Exception {
        Path f = Files.write(tmp.resolve("data_batch_2.bin"), Arrays.copyOf(records(2, 0, 2), 2 * Cifar10.RECORD - 1));
        assertMessage(() -> Cifar10.read(f), f, "6145 bytes is not a positive multiple of the 3073-byte CIFAR-10 record");
        Path empty = Files.write(tmp.resolve("empty.bin"), new byte[0]);
        assertMessage(() -> Cifar10.read(empty), empty, "0 bytes");
        byte[] badLabel = records(2, 0, 3);
        badLabel[Cifar10.RECORD] = 10;
        Path g = Files.write(tmp.resolve("test_batch.bin"), badLabel);
        assertMessage(() -> Cifar10.read(g), g, "record 1 has label 10, expected 0..9");
        Path missing = tmp.resolve("data_batch_9.bin");
        assertMessage(() -> Cifar10.read(missing), missing, "no such file");
    }

    @Test void datasetFromADirectoryConcatenatesTheBatchesSplitsAndPreprocesses() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        byte[][] batches = new byte[5][];
        for (int i = 0; i < 5; i++) Files.write(dir.resolve("data_batch_" + (i + 1) + ".bin"), batches[i] = records(4, i, 10 + i));
        Files.write(dir.resolve("test_batch.bin"), records(3, 5, 99));
        DataSource src = new DataSource.Directory(tmp);
        ImageDataset train = Datasets.image("cifar10", 32, Split.TRAIN, src);
        assertEquals(16, train.n());                                        // 80 % of 20
        assertEquals(2, Datasets.image("cifar10", 32, Split.INNER_VALID, src).n());
        ImageDataset outer = Datasets.image("cifar10", 32, Split.OUTER_VALID, src);
        assertEquals(2, outer.n());
        assertEquals(3, Datasets.image("cifar10", 32, Split.TEST, src).n());
        assertEquals(3, train.c());
        // outer_valid's first image is record 2 of data_batch_5 (images 18, 19 of 20)
        byte[] last = batches[4];
        assertEquals(last[2 * Cifar10.RECORD] & 0xFF, outer.labels()[0]);
        assertEquals((last[2 * Cifar10.RECORD + 1 + 1024 + 5] & 0xFF) / 255f, outer.pixels()[5 * 3 + 1], "pixel 5, green");
        // Cifar10BW8: resize to 8x8, /255, mean over channels
        ImageDataset bw = Datasets.image("cifar10", Preprocess.resize(8).withGrayscale(), Split.OUTER_VALID, src);
        assertEquals(1, bw.c());
        Cifar10.Batch b5 = Cifar10.read(dir.resolve("data_batch_5.bin"));
        float[] rgb = Resize.bilinear(Arrays.copyOfRange(b5.nhwc(), 2 * 3072, 3 * 3072), 1, 32, 32, 3, 8, 8);
        for (int p = 0; p < 64; p++) {
            float expected = (rgb[3 * p] / 255f + rgb[3 * p + 1] / 255f + rgb[3 * p + 2] / 255f) / 3;
            assertEquals(expected, bw.pixels()[p], "gray pixel " + p);
        }
    }
}
