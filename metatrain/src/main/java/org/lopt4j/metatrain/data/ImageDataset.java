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
