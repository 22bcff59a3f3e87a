package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.RandomKey;

class DataTest {
    @TempDir Path dir;

    static Path shared() {
        Path p = Path.of(System.getProperty("lopt4j.shared.dir", "../../shared"), "data");
        assumeTrue(Files.isDirectory(p), "shared data directory " + p.toAbsolutePath() + " is absent");
        return p;
    }

    @Test void readsRealMnistAndFashionMnist() throws Exception {
        Path d = shared();
        Idx.Images im = Idx.images(d.resolve("mnist/t10k-images-idx3-ubyte.gz"));
        int[] labels = Idx.labels(d.resolve("mnist/t10k-labels-idx1-ubyte.gz"));
        assertEquals(10000, im.n());
        assertEquals(28, im.rows());
        assertEquals(7, labels[0]);                       // MNIST's first test digit
        int[] counts = new int[10];
        for (int l : labels) counts[l]++;
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts);
        int[] fl = Idx.labels(d.resolve("fashion-mnist/train-labels-idx1-ubyte.gz"));
        assertEquals(60000, fl.length);
        int[] fc = new int[10];
        for (int l : fl) fc[l]++;
        for (int c : fc) assertEquals(6000, c);
        assertEquals("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                EmbeddedDataGenerator.sha256(d.resolve("fashion-mnist/train-images-idx3-ubyte.gz")));
    }

    private Path gz(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        try (var o = new GZIPOutputStream(Files.newOutputStream(f))) { o.write(content); }
        return f;
    }

    private static byte[] header(int... ints) throws IOException {
        var b = new java.io.ByteArrayOutputStream();
        try (var o = new DataOutputStream(b)) { for (int i : ints) o.writeInt(i); }
        return b.toByteArray();
    }

    @Test void badFilesGiveErrorsNamingTheFile() throws Exception {
        Path wrongMagic = gz("a.gz", header(0x0801, 1, 28, 28));
        Path truncated = gz("b.gz", Arrays.copyOf(header(0x0803, 2, 2, 2), 16 + 5));
        Path shortHeader = gz("c.gz", new byte[] {0, 0, 8});
        Path notGzip = dir.resolve("d.gz");
        Files.write(notGzip, new byte[] {1, 2, 3, 4});
        for (Path p : new Path[] {wrongMagic, truncated, shortHeader, notGzip, dir.resolve("missing.gz")}) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.images(p));
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        }
        Path imageMagic = gz("e.gz", header(0x0803, 1));
        assertTrue(assertThrows(DataFormatException.class, () -> Idx.labels(imageMagic)).getMessage().contains("expected 0x00000801"));
    }

    @Test void cifarBatchesConvertToNhwc() throws Exception {
        byte[] rec = new byte[2 * Cifar10.RECORD];
        rec[0] = 3;
        for (int i = 0; i < 1024; i++) { rec[1 + i] = 10; rec[1 + 1024 + i] = 20; rec[1 + 2048 + i] = 30; }
        rec[Cifar10.RECORD] = 9;
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, rec);
        Cifar10.Batch b = Cifar10.read(f);
        assertEquals(2, b.n());
        assertArrayEquals(new int[] {3, 9}, b.labels());
        assertArrayEquals(new byte[] {10, 20, 30, 10}, Arrays.copyOf(b.nhwc(), 4));
        Files.write(f, Arrays.copyOf(rec, 100));
        assertTrue(assertThrows(DataFormatException.class, () -> Cifar10.read(f)).getMessage().contains("3073"));
    }

    @Test void resizeMatchesTheSpec() {
        // 28 -> 8: output 0 reads input rows/cols 1 and 2 with weights 0.75 / 0.25
        byte[] img = new byte[28 * 28];
        for (int i = 0; i < 28; i++) for (int j = 0; j < 28; j++) img[i * 28 + j] = (byte) (i * 28 + j);
        float[] out = Resize.bilinear(img, 1, 28, 28, 1, 8, 8);
        double row = 0.75 * 1 + 0.25 * 2, col = 0.75 * 1 + 0.25 * 2;
        assertEquals(((row * 28 + col)) % 256, out[0], 1e-4);
        byte[] flat = new byte[28 * 28];
        Arrays.fill(flat, (byte) 200);
        for (float v : Resize.bilinear(flat, 1, 28, 28, 1, 8, 8)) assertEquals(200f, v);
        float[] same = Resize.bilinear(img, 1, 28, 28, 1, 28, 28);
        for (int i = 0; i < img.length; i++) assertEquals(img[i] & 0xFF, same[i]);
    }

    @Test void splitsAndShuffling() {
        assertEquals(48000, Split.TRAIN.end(60000));
        assertEquals(6000, Split.INNER_VALID.end(60000) - Split.INNER_VALID.start(60000));
        assertEquals(60000, Split.OUTER_VALID.end(60000));
        BatchStream a = new BatchStream(1000, 128, RandomKey.of(3)), b = new BatchStream(1000, 128, RandomKey.of(3));
        assertEquals(7, a.batchesPerEpoch());
        int[] seen = new int[1000];
        for (int i = 0; i < 7; i++) {
            int[] x = a.next();
            assertArrayEquals(x, b.next());
            for (int v : x) seen[v]++;
        }
        assertTrue(Arrays.stream(seen).allMatch(c -> c <= 1), "no example twice in an epoch");
        assertNotEquals(Arrays.toString(a.batch(0)), Arrays.toString(a.batch(7)), "next epoch reshuffles");
    }

    @Test void embeddedDataMatchesTheRealFiles() throws Exception {
        ImageDataset emb = Datasets.image("fashion_mnist", 8, Split.TRAIN, null);
        assertEquals(48000, emb.n());
        assertEquals(64, emb.features());
        ImageDataset test16 = Datasets.image("fashion_mnist", 16, Split.TEST, null);
        assertEquals(10000, test16.n());
        Path d = shared();
        ImageDataset real = Datasets.image("fashion_mnist", 8, Split.TRAIN, d);
        assertArrayEquals(Arrays.copyOf(real.labels(), 500), Arrays.copyOf(emb.labels(), 500));
        for (int i = 0; i < 500 * 64; i++) assertEquals(real.pixels()[i], emb.pixels()[i], 1e-7, "pixel " + i);
    }

    @Test void charText() throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "abcabcabcabcabcabcabcabcabcabcabcabcabcabc\n".repeat(10));
        CharText t = CharText.read(f);
        assertEquals("\nabc", t.vocab());
        Batch b = t.batch(org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE, 4, 8, true, RandomKey.of(1));
        int[] x = b.x().toIntArray(), y = b.y().toIntArray();
        for (int i = 0; i < 4 * 8; i++) if (i % 8 != 7) assertEquals(y[i], x[i + 1]);
        Path shakespeare = shared().resolve("tinyshakespeare/input.txt");
        assertEquals(65, CharText.read(shakespeare).vocabSize());
    }
}
