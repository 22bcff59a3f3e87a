package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.metatrain.data.SharedData.concat;
import static org.lopt4j.metatrain.data.SharedData.gz;
import static org.lopt4j.metatrain.data.SharedData.ints;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    /** Published dataset statistics are quoted to 4 decimals. */
    static final double STAT_TOL = 1e-4;

    @TempDir Path tmp;

    @Test void readsRealMnist() throws Exception {
        Path d = SharedData.dir().resolve("mnist");
        Idx.Images train = Idx.images(d.resolve("train-images-idx3-ubyte.gz")), test = Idx.images(d.resolve("t10k-images-idx3-ubyte.gz"));
        assertEquals(60000, train.n());
        assertEquals(10000, test.n());
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        int[] trainLabels = Idx.labels(d.resolve("train-labels-idx1-ubyte.gz")), testLabels = Idx.labels(d.resolve("t10k-labels-idx1-ubyte.gz"));
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, Arrays.copyOf(trainLabels, 10));
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, Arrays.copyOf(testLabels, 10));
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, counts(trainLabels)); // data README
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts(testLabels));
        double[] ms = meanStd(train.pixels());
        assertEquals(0.1307, ms[0], STAT_TOL, "MNIST train mean (the usual normalization constant)");
        assertEquals(0.3081, ms[1], STAT_TOL, "MNIST train std");
    }

    @Test void readsRealFashionMnist() throws Exception {
        Path d = SharedData.dir().resolve("fashion-mnist");
        Idx.Images train = Idx.images(d.resolve("train-images-idx3-ubyte.gz"));
        int[] trainLabels = Idx.labels(d.resolve("train-labels-idx1-ubyte.gz")), testLabels = Idx.labels(d.resolve("t10k-labels-idx1-ubyte.gz"));
        assertEquals(60000, train.n());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(trainLabels, 10));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(testLabels, 10));
        for (int c : counts(trainLabels)) assertEquals(6000, c);
        for (int c : counts(testLabels)) assertEquals(1000, c);
        double[] ms = meanStd(train.pixels());
        assertEquals(0.2860, ms[0], STAT_TOL, "Fashion-MNIST train mean");
        assertEquals(0.3530, ms[1], STAT_TOL, "Fashion-MNIST train std");
    }

    @Test void decompressedContentMatchesThePublishedSha256() throws Exception {
        Path d = SharedData.dir();
        assertEquals("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", gunzipSha(d.resolve("mnist/t10k-images-idx3-ubyte.gz")));
        assertEquals("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", gunzipSha(d.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz")));
        assertEquals("346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                EmbeddedDataGenerator.sha256(d.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz")));
    }

    @Test void badImageFilesGiveErrorsNamingTheFileAndTheExpectation() throws Exception {
        byte[] twoImages = new byte[2 * 2 * 2];
        record Case(String file, byte[] content, String expected) {}
        Case[] cases = {
            new Case("wrong-magic.gz", concat(ints(0x0801, 1, 2, 2), new byte[4]), "expected 0x00000803"),
            new Case("truncated.gz", concat(ints(0x0803, 2, 2, 2), Arrays.copyOf(twoImages, 5)), "truncated: expected 8 data bytes"),
            new Case("short-header.gz", new byte[] {0, 0, 8}, "truncated IDX header"),
            new Case("header-only.gz", ints(0x0803, 2, 2), "truncated IDX header"),
            new Case("zero-rows.gz", ints(0x0803, 1, 0, 28), "bad dimensions 1x0x28"),
            new Case("negative-count.gz", ints(0x0803, -5, 28, 28), "bad dimensions -5x28x28"),
            new Case("huge.gz", ints(0x0803, 1 << 20, 1 << 20, 28), "too large"),
            new Case("trailing.gz", concat(ints(0x0803, 2, 2, 2), twoImages, new byte[3]), "trailing bytes after 2 images"),
        };
        for (Case c : cases) {
            Path f = gz(tmp.resolve(c.file()), c.content());
            DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.images(f), c.file());
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c.expected()), e.getMessage());
        }
        Path notGzip = Files.write(tmp.resolve("plain.idx"), concat(ints(0x0803, 1, 1, 1), new byte[1]));
        assertMessage(() -> Idx.images(notGzip), notGzip, "not a gzip stream");
        Path cut = tmp.resolve("cut.gz");
        byte[] whole = Files.readAllBytes(gz(tmp.resolve("whole.gz"), concat(ints(0x0803, 100, 28, 28), new byte[100 * 784])));
        Files.write(cut, Arrays.copyOf(whole, whole.length - 12)); // gzip stream cut before its trailer
        assertMessage(() -> Idx.images(cut), cut, "truncated");
        Path missing = tmp.resolve("missing-images-idx3-ubyte.gz");
        assertMessage(() -> Idx.images(missing), missing, "no such file");
    }

    @Test void badLabelFilesGiveErrorsNamingTheFile() throws Exception {
        Path imageMagic = gz(tmp.resolve("l1.gz"), ints(0x0803, 1));
        assertMessage(() -> Idx.labels(imageMagic), imageMagic, "expected 0x00000801");
        Path truncated = gz(tmp.resolve("l2.gz"), concat(ints(0x0801, 10), new byte[9]));
        assertMessage(() -> Idx.labels(truncated), truncated, "expected 10 data bytes");
        Path ok = gz(tmp.resolve("l3.gz"), concat(ints(0x0801, 3), new byte[] {1, 9, (byte) 200}));
        assertArrayEquals(new int[] {1, 9, 200}, Idx.labels(ok), "labels are unsigned bytes");
    }

    @Test void mismatchedOrOutOfRangeLabelsInADataDirectoryAreReported() throws Exception {
        Path d = tmp.resolve("mnist");
        gz(d.resolve("train-images-idx3-ubyte.gz"), concat(ints(0x0803, 3, 2, 2), new byte[12]));
        Path labels = gz(d.resolve("train-labels-idx1-ubyte.gz"), concat(ints(0x0801, 2), new byte[2]));
        DataSource src = new DataSource.Directory(tmp);
        assertMessage(() -> Datasets.image("mnist", 2, Split.TRAIN, src), labels, "2 labels, expected 3");
        gz(labels, concat(ints(0x0801, 3), new byte[] {0, 10, 1}));
        assertMessage(() -> Datasets.image("mnist", 2, Split.INNER_VALID, src), labels, "label 1 is 10, expected 0..9");
        Path absent = tmp.resolve("fashion-mnist/train-images-idx3-ubyte.gz");
        assertMessage(() -> Datasets.image("fashion_mnist", 2, Split.TRAIN, src), absent, "no such file");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, Path file, String expected) {
        DataFormatException e = assertThrows(DataFormatException.class, call);
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    static int[] counts(int[] labels) {
        int[] c = new int[10];
        for (int l : labels) c[l]++;
        return c;
    }

    /** Mean and population standard deviation of pixels / 255, in double. */
    static double[] meanStd(byte[] px) {
        double s = 0, ss = 0;
        for (byte b : px) {
            double v = (b & 0xFF) / 255.0;
            s += v;
            ss += v * v;
        }
        double mean = s / px.length;
        return new double[] {mean, Math.sqrt(ss / px.length - mean * mean)};
    }

    static String gunzipSha(Path f) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) { return EmbeddedDataGenerator.sha256(in); }
    }
}
