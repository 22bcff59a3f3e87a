package org.lopt4j.metatrain.data;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Tensor;

/** Images {@code [n, h, w, c]} as floats scaled to [0, 1] (NHWC) with integer labels, one split of a dataset. */
public record ImageDataset(String name, int n, int h, int w, int c, float[] pixels, int[] labels, int classes) {
    public ImageDataset {
        if (pixels.length != (long) n * h * w * c || labels.length != n) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixels and " + labels.length + " labels, expected "
                    + n + "x" + h + "x" + w + "x" + c + " and " + n);
        }
    }

    /** Features per image. */
    public int features() { return h * w * c; }

    /** Examples {@code [from, to)} as a new dataset (copies). */
    public ImageDataset slice(int from, int to) {
        int f = features();
        return new ImageDataset(name, to - from, h, w, c, java.util.Arrays.copyOfRange(pixels, from * f, to * f),
                java.util.Arrays.copyOfRange(labels, from, to), classes);
    }

    /** The examples whose label is one of {@code keep}, in their order (copies); labels keep their values. */
    public ImageDataset withClasses(int... keep) {
        boolean[] kept = new boolean[classes];
        for (int k : keep) {
            if (k < 0 || k >= classes) throw new IllegalArgumentException(name + ": class " + k + " is outside 0.." + (classes - 1));
            kept[k] = true;
        }
        int f = features(), count = 0;
        for (int y : labels) if (kept[y]) count++;
        float[] px = new float[count * f];
        int[] ys = new int[count];
        for (int i = 0, j = 0; i < n; i++) {
            if (!kept[labels[i]]) continue;
            System.arraycopy(pixels, i * f, px, j * f, f);
            ys[j++] = labels[i];
        }
        return new ImageDataset(name, count, h, w, c, px, ys, classes);
    }

    /** Population minibatches: member m gets images {@code idx[m]}; x {@code [P, b, h, w, c]}, y {@code [P, b]}. */
    public Batch batch(Backend backend, int[][] idx) {
        int p = idx.length, b = idx[0].length, f = features();
        float[] x = new float[p * b * f];
        int[] y = new int[p * b];
        for (int m = 0; m < p; m++) {
            for (int i = 0; i < b; i++) {
                System.arraycopy(pixels, idx[m][i] * f, x, (m * b + i) * f, f);
                y[m * b + i] = labels[idx[m][i]];
            }
        }
        return new Batch(Tensor.of(backend, x, p, b, h, w, c), Tensor.of(backend, y, p, b));
    }

    /** Images {@code idx} as an {@code [b, h, w, c]} F32 tensor and their labels as I32 {@code [b]}. */
    public Batch batch(Backend backend, int[] idx) {
        int f = features();
        float[] x = new float[idx.length * f];
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(pixels, idx[i] * f, x, i * f, f);
            y[i] = labels[idx[i]];
        }
        return new Batch(Tensor.of(backend, x, idx.length, h, w, c), Tensor.of(backend, y, idx.length));
    }
}
