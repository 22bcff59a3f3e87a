package org.lopt4j.metatrain.data;

/**
 * Bilinear resize without antialiasing, half-pixel centres (TF2 {@code tf.image.resize} default, as
 * learned_optimization uses it): output index o of an axis maps to {@code x = (o + 0.5)·(in/out) − 0.5},
 * {@code i0 = max(floor(x), 0)}, {@code i1 = min(ceil(x), in − 1)}, weight {@code x − floor(x)}; lerp along width then
 * height; results are floats in the input's range, not rounded.
 */
public final class Resize {
    private Resize() {}

    /** Resizes {@code n} images {@code [h, w, c]} (unsigned bytes) to {@code [oh, ow, c]} floats. */
    public static float[] bilinear(byte[] src, int n, int h, int w, int c, int oh, int ow) {
        float[] out = new float[n * oh * ow * c];
        int[] y0 = new int[oh], y1 = new int[oh], x0 = new int[ow], x1 = new int[ow];
        float[] wy = new float[oh], wx = new float[ow];
        axis(h, oh, y0, y1, wy);
        axis(w, ow, x0, x1, wx);
        for (int img = 0; img < n; img++) {
            int ib = img * h * w * c, ob = img * oh * ow * c;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float a = px(src, ib, y0[oy], x0[ox], w, c, ch), b = px(src, ib, y0[oy], x1[ox], w, c, ch);
                        float d = px(src, ib, y1[oy], x0[ox], w, c, ch), e = px(src, ib, y1[oy], x1[ox], w, c, ch);
                        float top = a + (b - a) * wx[ox], bottom = d + (e - d) * wx[ox];
                        out[ob + (oy * ow + ox) * c + ch] = top + (bottom - top) * wy[oy];
                    }
                }
            }
        }
        return out;
    }

    private static float px(byte[] s, int base, int y, int x, int w, int c, int ch) { return s[base + (y * w + x) * c + ch] & 0xFF; }

    /** Source indices and weights for one axis (computed in double, weights rounded to float once). */
    static void axis(int in, int out, int[] i0, int[] i1, float[] wt) {
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double x = (o + 0.5) * scale - 0.5;
            double f = Math.floor(x);
            i0[o] = (int) Math.max(f, 0);
            i1[o] = (int) Math.min(Math.ceil(x), in - 1);
            wt[o] = (float) (x - f);
            if (x < 0) { i0[o] = 0; i1[o] = 0; wt[o] = 0; }
        }
    }
}
