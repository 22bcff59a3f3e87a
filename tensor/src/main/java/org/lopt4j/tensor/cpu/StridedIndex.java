package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.Tensor;

/** Maps a row-major element number of a shape to storage offsets of strided tensors of that shape. */
final class StridedIndex {
    private StridedIndex() {}

    /** Storage offset of the element with row-major number {@code linear} in {@code t}. */
    static int offset(Tensor t, int linear) {
        int[] d = t.shape().dims(), s = t.strides();
        int off = t.offset();
        for (int i = d.length - 1; i >= 0; i--) {
            int n = d[i];
            if (n == 0) return off;
            off += (linear % n) * s[i];
            linear /= n;
        }
        return off;
    }

    /** Storage offsets of every element of {@code t} in row-major order. */
    static int[] offsets(Tensor t) {
        int n = t.numel();
        int[] out = new int[n];
        int[] d = t.shape().dims(), s = t.strides();
        int r = d.length;
        int[] idx = new int[r];
        int off = t.offset();
        for (int e = 0; e < n; e++) {
            out[e] = off;
            for (int i = r - 1; i >= 0; i--) {
                idx[i]++;
                off += s[i];
                if (idx[i] < d[i]) break;
                off -= s[i] * d[i];
                idx[i] = 0;
            }
        }
        return out;
    }
}
