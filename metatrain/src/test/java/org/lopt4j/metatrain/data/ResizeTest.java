package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bilinear resize against the spec (tasks.md §2 and §7) and a double-precision reference written from it. */
class ResizeTest {
    /** Sizes whose weights are multiples of 1/16 (28→8, 28→16, 28→32, 32→8): float results are exact. */
    static final double EXACT = 0;
    /** 28→10 weights are not dyadic: a few float roundings on values up to 255. */
    static final double FLOAT_TOL = 1e-4;

    /** The spec's formula in double: per axis x = (o + 0.5)·in/out − 0.5, i0 = max(floor x, 0), i1 = min(ceil x, in − 1). */
    static double[] reference(byte[] src, int n, int h, int w, int c, int oh, int ow) {
        double[] out = new double[n * oh * ow * c];
        for (int img = 0; img < n; img++) {
            for (int oy = 0; oy < oh; oy++) {
                double y = (oy + 0.5) * h / oh - 0.5, wy = y - Math.floor(y);
                int y0 = (int) Math.max(Math.floor(y), 0), y1 = (int) Math.min(Math.ceil(y), h - 1);
                for (int ox = 0; ox < ow; ox++) {
                    double x = (ox + 0.5) * w / ow - 0.5, wx = x - Math.floor(x);
                    int x0 = (int) Math.max(Math.floor(x), 0), x1 = (int) Math.min(Math.ceil(x), w - 1);
                    for (int ch = 0; ch < c; ch++) {
                        int base = img * h * w * c;
                        double a = src[base + (y0 * w + x0) * c + ch] & 0xFF, b = src[base + (y0 * w + x1) * c + ch] & 0xFF;
                        double d = src[base + (y1 * w + x0) * c + ch] & 0xFF, e = src[base + (y1 * w + x1) * c + ch] & 0xFF;
                        double top = a + (b - a) * wx, bottom = d + (e - d) * wx;
                        out[((img * oh + oy) * ow + ox) * c + ch] = top + (bottom - top) * wy;
                    }
                }
            }
        }
        return out;
    }

    static byte[] randomImages(int n, int h, int w, int c, long seed) {
        byte[] b = new byte[n * h * w * c];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test void handComputedTwoByTwoToFourByFour() {
        // per axis x = (o + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25: reads (0,0), (0,1) w 0.25, (0,1) w 0.75, (1,1)
        // rows after the width pass: [0, 100] → (0, 25, 75, 100); [200, 40] → (200, 160, 80, 40)
        byte[] img = {0, 100, (byte) 200, 40};
        float[] expected = {
            0, 25, 75, 100,
            50, 58.75f, 76.25f, 85,        // 0.75·first + 0.25·second
            150, 126.25f, 78.75f, 55,      // 0.25·first + 0.75·second
            200, 160, 80, 40,
        };
        assertArrayEquals(expected, Resize.bilinear(img, 1, 2, 2, 1, 4, 4));
    }

    @Test void matchesTheDoubleReference() {
        int[][] cases = {{28, 28, 1, 8, 8}, {28, 28, 1, 16, 16}, {28, 28, 1, 32, 32}, {32, 32, 3, 8, 8}, {28, 28, 1, 10, 10}, {28, 20, 2, 7, 13}};
        for (int[] k : cases) {
            byte[] src = randomImages(3, k[0], k[1], k[2], Arrays.hashCode(k));
            float[] got = Resize.bilinear(src, 3, k[0], k[1], k[2], k[3], k[4]);
            double[] want = reference(src, 3, k[0], k[1], k[2], k[3], k[4]);
            boolean dyadic = k[0] == 28 && k[1] == 28 && k[3] != 10 || k[0] == 32;
            for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], dyadic ? EXACT : FLOAT_TOL, Arrays.toString(k) + " value " + i);
        }
    }

    @Test void specCheck28To8() {
        // output row o reads rows floor(3.5·o + 1.25) and the next, weights 0.75/0.25 (o even) or 0.25/0.75 (o odd)
        byte[] img = randomImages(1, 28, 28, 1, 5);
        float[] out = Resize.bilinear(img, 1, 28, 28, 1, 8, 8);
        double p11 = img[29] & 0xFF, p12 = img[30] & 0xFF, p21 = img[57] & 0xFF, p22 = img[58] & 0xFF;
        assertEquals(0.5625 * p11 + 0.1875 * (p12 + p21) + 0.0625 * p22, out[0], EXACT, "(0,0) mixes rows 1-2 x cols 1-2");
        double q = 0.0625 * (img[4 * 28 + 4] & 0xFF) + 0.1875 * ((img[4 * 28 + 5] & 0xFF) + (img[5 * 28 + 4] & 0xFF)) + 0.5625 * (img[5 * 28 + 5] & 0xFF);
        assertEquals(q, out[9], EXACT, "(1,1) = rows 4-5 x cols 4-5 with weights 0.25/0.75");
        Set<Integer> used = Set.of(1, 2, 4, 5, 8, 9, 11, 12, 15, 16, 18, 19, 22, 23, 25, 26);
        for (int row = 0; row < 28; row++) {
            byte[] changed = img.clone();
            for (int col = 0; col < 28; col++) changed[row * 28 + col] ^= (byte) 0x80;
            float[] after = Resize.bilinear(changed, 1, 28, 28, 1, 8, 8);
            if (used.contains(row)) assertNotEquals(Arrays.toString(out), Arrays.toString(after), "row " + row + " is read");
            else assertArrayEquals(out, after, "row " + row + " influences nothing (no antialiasing)");
        }
    }

    @Test void constantStaysConstantAndSameSizeIsTheIdentity() {
        byte[] flat = new byte[2 * 28 * 28 * 3];
        Arrays.fill(flat, (byte) 200);
        for (int size : new int[] {8, 10, 16, 32, 57}) {
            for (float v : Resize.bilinear(flat, 2, 28, 28, 3, size, size)) assertEquals(200f, v, "constant at " + size);
        }
        byte[] img = randomImages(2, 28, 28, 1, 7);
        float[] same = Resize.bilinear(img, 2, 28, 28, 1, 28, 28);
        for (int i = 0; i < img.length; i++) assertEquals(img[i] & 0xFF, same[i], EXACT);
    }
}
