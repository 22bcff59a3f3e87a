package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The image pipeline's steps and their order: resize, tile, / 255, grayscale. */
class PreprocessTest {
    @Test void sameSizeOnlyScales() {
        byte[] img = {0, 51, (byte) 255, 1};
        assertArrayEquals(new float[] {0, 51 / 255f, 1, 1 / 255f}, Preprocess.resize(2).apply(img, 1, 2, 2, 1));
    }

    @Test void resizeHappensOnUnroundedValuesBeforeScaling() {
        byte[] img = {0, 1, 0, 1};  // 2x2 → 4x4: column 1 is 0.25, not rounded to 0 before / 255
        float[] out = Preprocess.resize(4).apply(img, 1, 2, 2, 1);
        assertEquals(0.25f / 255f, out[1]);
    }

    @Test void stackChannelsTilesOneChannelImages() {
        byte[] img = {10, 20, 30, 40};
        Preprocess p = Preprocess.resize(2).withStackChannels(3);
        assertEquals(3, p.channels(1));
        float[] out = p.apply(img, 1, 2, 2, 1);
        assertArrayEquals(new float[] {10 / 255f, 10 / 255f, 10 / 255f, 20 / 255f, 20 / 255f, 20 / 255f,
            30 / 255f, 30 / 255f, 30 / 255f, 40 / 255f, 40 / 255f, 40 / 255f}, out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.apply(new byte[12], 1, 2, 2, 3));
        assertEquals("stackChannels 3 needs one-channel images, got 3 channels", e.getMessage());
    }

    @Test void grayscaleIsTheMeanOverChannelsAfterScaling() {
        byte[] img = {30, 60, 90, (byte) 255, 0, 0};  // two RGB pixels
        Preprocess p = new Preprocess(1, 2, 1, false).withGrayscale();
        assertEquals(1, p.channels(3));
        float[] out = p.apply(img, 1, 1, 2, 3);
        assertArrayEquals(new float[] {(30 / 255f + 60 / 255f + 90 / 255f) / 3, (1f + 0 + 0) / 3}, out);
    }

    @Test void rejectsNonPositiveSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Preprocess(0, 8, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new Preprocess(8, 8, 0, false));
    }
}
