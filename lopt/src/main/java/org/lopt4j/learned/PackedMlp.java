package org.lopt4j.learned;

import java.util.Arrays;
import org.lopt4j.tensor.SlabLayout;

/**
 * Per-parameter MLPs of a θ population packed as every kernel reads them: member after member, {@link #stride}
 * floats apart, layer after layer the weights [in × out] row-major, then the bias. Built once per θ.
 */
public record PackedMlp(float[] values, int[] widths, int stride, int members) {
    /** Packs the MLPs of {@code members} copies of layout {@code one} in {@code theta}; layer l is {@code w[l]}, {@code b[l]}. */
    public static PackedMlp of(float[] theta, SlabLayout one, int members, String[] w, String[] b, int[] widths) {
        int stride = stride(widths);
        float[] out = new float[Math.max(1, members * stride)];
        for (int m = 0; m < members; m++) {
            int at = m * stride, base = m * one.size();
            for (int l = 0; l + 1 < widths.length; l++) {
                at = copy(theta, base, one, w[l], widths[l] * widths[l + 1], out, at);
                at = copy(theta, base, one, b[l], widths[l + 1], out, at);
            }
        }
        return new PackedMlp(out, widths.clone(), stride, members);
    }

    private static int copy(float[] theta, int base, SlabLayout one, String name, int n, float[] out, int at) {
        int i = one.index(name);
        if (one.numel(i) != n) throw new IllegalArgumentException("θ tensor " + name + " has " + one.numel(i) + " values, the MLP needs " + n);
        System.arraycopy(theta, base + one.offset(i), out, at, n);
        return at + n;
    }

    /** Floats of one member's MLP with layer widths {@code widths}. */
    public static int stride(int[] widths) {
        int s = 0;
        for (int l = 0; l + 1 < widths.length; l++) s += widths[l] * widths[l + 1] + widths[l + 1];
        return s;
    }

    /** Member {@code m}'s weights of each layer, copied out of {@code packed} (widths {@code widths}). */
    public static float[][] weights(float[] packed, int stride, int[] widths, int m) { return parts(packed, stride, widths, m, true); }

    /** Member {@code m}'s biases of each layer. */
    public static float[][] biases(float[] packed, int stride, int[] widths, int m) { return parts(packed, stride, widths, m, false); }

    private static float[][] parts(float[] packed, int stride, int[] widths, int m, boolean weights) {
        float[][] out = new float[widths.length - 1][];
        int at = m * stride;
        for (int l = 0; l + 1 < widths.length; l++) {
            int nw = widths[l] * widths[l + 1], nb = widths[l + 1];
            out[l] = weights ? Arrays.copyOfRange(packed, at, at + nw) : Arrays.copyOfRange(packed, at + nw, at + nw + nb);
            at += nw + nb;
        }
        return out;
    }
}
