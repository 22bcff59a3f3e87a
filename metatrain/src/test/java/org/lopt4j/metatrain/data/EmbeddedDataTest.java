package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded default data: sizes, exactness against the real files, notices, and the Datasets API around it. */
class EmbeddedDataTest {
    @Test void splitSizes() throws Exception {
        int[] all = {48000, 6000, 6000, 10000}, prefix16 = {16000, 2000, 2000, 10000};
        for (EmbeddedData.ImageSet set : EmbeddedData.IMAGE_SETS) {
            for (int size : set.sizes()) {
                for (Split split : Split.values()) {
                    ImageDataset d = Datasets.image(set.name(), size, split, DataSource.EMBEDDED);
                    assertEquals((size == 16 ? prefix16 : all)[split.ordinal()], d.n(), set.name() + " " + size + " " + split);
                    assertEquals(size * size, d.features());
                    assertEquals(d.n(), d.labels().length);
                }
            }
        }
        assertEquals(List.of("fashion_mnist at 8x8 and 16x16", "mnist at 8x8 and 14x14"), EmbeddedData.IMAGE_SETS.stream().map(Object::toString).toList());
    }

    @Test void embeddedPixelsAreBitForBitThoseComputedFromTheIdxFiles() throws Exception {
        DataSource real = new DataSource.Directory(SharedData.dir());
        for (EmbeddedData.ImageSet set : EmbeddedData.IMAGE_SETS) {
            for (int size : set.sizes()) {
                for (Split split : Split.values()) {
                    String what = set.name() + " " + size + "x" + size + " " + split;
                    ImageDataset emb = Datasets.image(set.name(), size, split, DataSource.EMBEDDED);
                    ImageDataset full = Datasets.image(set.name(), size, split, real);
                    assertEquals(set.name(), emb.name());
                    assertTrue(emb.n() <= full.n(), what);
                    if (size != 16) assertEquals(full.n(), emb.n(), what + ": all images at 8x8 and 14x14");
                    assertArrayEquals(Arrays.copyOf(full.labels(), emb.n()), emb.labels(), what + " labels");
                    assertArrayEquals(Arrays.copyOf(full.pixels(), emb.n() * emb.features()), emb.pixels(),
                            what + " pixels (exact: the fixed point loses nothing)");
                }
            }
        }
    }

    @Test void mnistAt14IsTheMeanOfEach2x2BlockOfTheOriginal() throws Exception {
        ImageDataset emb = Datasets.image("mnist", 14, Split.TEST, DataSource.EMBEDDED);
        ImageDataset orig = Datasets.image("mnist", 28, Split.TEST, new DataSource.Directory(SharedData.dir()));
        assertEquals(10000, emb.n());
        for (int img : new int[] {0, 1, 9999}) {
            for (int y = 0; y < 14; y++) {
                for (int x = 0; x < 14; x++) {
                    double sum = 0;
                    for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) sum += orig.pixels()[img * 784 + (2 * y + dy) * 28 + 2 * x + dx] * 255.0;
                    float stored = emb.pixels()[img * 196 + y * 14 + x] * 255f;
                    assertEquals(sum / 4, stored, 1e-3, "image " + img + " pixel " + y + "," + x);
                    assertEquals(Math.rint(stored * 4), stored * 4, 1e-3, "a multiple of 1/4 (×4 fixed point is exact)");
                }
            }
        }
    }

    @Test void generatorSelectionIsAPrefixOfEachSplit() {
        byte[] px = new byte[60000];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i % 251);
        Idx.Images im = new Idx.Images(60000, 1, 1, px);
        byte[] kept = EmbeddedDataGenerator.keptTrainImages(im, 16);
        assertEquals(20000, kept.length);
        assertEquals(px[15999], kept[15999]);
        assertEquals(px[48000], kept[16000], "inner_valid starts at image 48,000");
        assertEquals(px[54000], kept[18000], "outer_valid starts at image 54,000");
        assertEquals(px[55999], kept[19999]);
        assertArrayEquals(px, EmbeddedDataGenerator.keptTrainImages(im, 8), "all of it at 8x8");
    }

    @Test void pipelineStepsAfterResizeApplyToEmbeddedData() throws Exception {
        ImageDataset plain = Datasets.image("fashion_mnist", 8, Split.TEST, DataSource.EMBEDDED);
        ImageDataset tiled = Datasets.image("fashion_mnist", Preprocess.resize(8).withStackChannels(3), Split.TEST, DataSource.EMBEDDED);
        assertEquals(3, tiled.c());
        for (int i = 0; i < 64; i++) assertEquals(plain.pixels()[i], tiled.pixels()[3 * i + 2]);
        assertSame(plain, Datasets.image("fashion_mnist", 8, Split.TEST, (Path) null), "cached; null directory = embedded");
    }

    @Test void whatIsNotEmbeddedIsRefusedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("cifar10", 8, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("mnist", 28, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().startsWith("mnist at 28x28 is not embedded"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.image("mnist", 16, Split.TEST, DataSource.EMBEDDED));
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("fashion_mnist", 28, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().contains("embedded: fashion_mnist at 8x8 and 16x16, mnist at 8x8 and 14x14"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("svhn", 8, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().contains("[fashion_mnist, mnist, cifar10]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.text("lm1b", DataSource.EMBEDDED));
    }

    @Test void embeddedTinyShakespeareIsTheRealFile() throws Exception {
        CharText emb = Datasets.text(Datasets.TINY_SHAKESPEARE, DataSource.EMBEDDED);
        Path dir = SharedData.dir();
        CharText real = Datasets.text(Datasets.TINY_SHAKESPEARE, new DataSource.Directory(dir));
        assertEquals(real.vocab(), emb.vocab());
        assertArrayEquals(real.ids(), emb.ids());
        assertEquals(Files.readString(dir.resolve("tinyshakespeare/input.txt")), emb.decode(0, emb.ids().length));
    }

    @Test void noticesAccompanyTheResources() throws Exception {
        String fashion = resource("/org/lopt4j/metatrain/data/fashion_mnist/NOTICE.txt");
        assertTrue(fashion.contains("The MIT License (MIT) Copyright © 2017 Zalando SE"), "Fashion-MNIST's MIT notice");
        assertTrue(fashion.contains("THE SOFTWARE IS PROVIDED “AS IS”"));
        String mnist = resource("/org/lopt4j/metatrain/data/mnist/NOTICE.txt");
        assertTrue(mnist.contains("Yann LeCun, Corinna Cortes, Christopher J. C. Burges"), "MNIST's authors");
        assertTrue(mnist.contains("Creative Commons Attribution-Share Alike 3.0 (CC BY-SA 3.0)"), "MNIST's license");
        assertTrue(resource("/org/lopt4j/metatrain/data/tiny_shakespeare/NOTICE.txt").contains("public domain"));
    }

    static String resource(String name) throws Exception {
        try (InputStream in = EmbeddedDataTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
