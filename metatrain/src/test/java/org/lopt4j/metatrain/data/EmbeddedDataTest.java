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
import org.junit.jupiter.api.Test;

/** The embedded default data: sizes, exactness against the real files, notices, and the Datasets API around it. */
class EmbeddedDataTest {
    /** Images compared at the head and at the tail of each split. */
    static final int HEAD = 300, TAIL = 50;

    @Test void splitSizes() throws Exception {
        int[][] expected = {{48000, 6000, 6000, 10000}, {16000, 2000, 2000, 10000}};
        for (int s = 0; s < 2; s++) {
            int size = EmbeddedData.SIZES[s];
            for (Split split : Split.values()) {
                ImageDataset d = Datasets.image("fashion_mnist", size, split, DataSource.EMBEDDED);
                assertEquals(expected[s][split.ordinal()], d.n(), size + " " + split);
                assertEquals(size * size, d.features());
                assertEquals(d.n(), d.labels().length);
            }
        }
    }

    @Test void embeddedPixelsAreBitForBitThoseComputedFromTheIdxFiles() throws Exception {
        DataSource real = new DataSource.Directory(SharedData.dir());
        for (int size : EmbeddedData.SIZES) {
            for (Split split : Split.values()) {
                ImageDataset emb = Datasets.image("fashion_mnist", size, split, DataSource.EMBEDDED);
                ImageDataset full = Datasets.image("fashion_mnist", size, split, real);
                assertTrue(emb.n() <= full.n());
                int f = emb.features();
                for (int[] range : new int[][] {{0, HEAD}, {emb.n() - TAIL, emb.n()}}) {
                    assertArrayEquals(Arrays.copyOfRange(full.labels(), range[0], range[1]), Arrays.copyOfRange(emb.labels(), range[0], range[1]),
                            size + " " + split + " labels");
                    assertArrayEquals(Arrays.copyOfRange(full.pixels(), range[0] * f, range[1] * f), Arrays.copyOfRange(emb.pixels(), range[0] * f, range[1] * f),
                            size + " " + split + " pixels (exact: the fixed point loses nothing)");
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("mnist", 8, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.image("fashion_mnist", 28, Split.TRAIN, DataSource.EMBEDDED));
        assertTrue(e.getMessage().contains("8x8 and 16x16"), e.getMessage());
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
        assertTrue(resource("/org/lopt4j/metatrain/data/tiny_shakespeare/NOTICE.txt").contains("public domain"));
    }

    static String resource(String name) throws Exception {
        try (InputStream in = EmbeddedDataTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
