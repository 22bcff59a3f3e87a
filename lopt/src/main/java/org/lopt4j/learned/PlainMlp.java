package org.lopt4j.learned;

/** A per-parameter MLP for one input vector in double, ReLU between layers: the twins' MLP (no lanes, no packing). */
public final class PlainMlp {
    private PlainMlp() {}

    /** Layers {@code w[l]} ([in × out] row-major) and {@code b[l]} with widths {@code widths}, applied to {@code x}. */
    public static double[] eval(float[][] w, float[][] b, int[] widths, double[] x) {
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int fi = widths[layer], fo = widths[layer + 1];
            double[] y = new double[fo];
            for (int j = 0; j < fo; j++) {
                double acc = b[layer][j];
                for (int i = 0; i < fi; i++) acc += x[i] * w[layer][i * fo + j];
                y[j] = layer + 2 < widths.length ? Math.max(acc, 0) : acc;
            }
            x = y;
        }
        return x;
    }
}
