package org.lopt4j.learned.lanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.cpu.Species;

/**
 * A per-parameter MLP evaluated on {@link Species#F32}-lane blocks: inputs lane-blocked, ReLU between layers, linear
 * output; weights row-major {@code [fan_in × fan_out]} (packed per layer for the vector path).
 */
public final class LaneMlp {
    static final VectorSpecies<Float> S = Species.F32;

    private LaneMlp() {}

    public static int lanes() { return S.length(); }

    /**
     * One layer's row-major {@code [fi × fo]} weights packed for {@link #evalPacked} on {@code blocks} lane blocks:
     * outputs in groups of 8 (two blocks) or 4 (four blocks), then 2, then 1; the group starting at output j holds its
     * weights at {@code j·fi + i·G + k}.
     */
    public static float[] pack(float[] w, int fi, int fo, int blocks) {
        float[] out = new float[fi * fo];
        for (int j = 0; j < fo; ) {
            int gsz = group(fo - j, blocks);
            for (int i = 0; i < fi; i++) for (int k = 0; k < gsz; k++) out[j * fi + i * gsz + k] = w[i * fo + j + k];
            j += gsz;
        }
        return out;
    }

    private static int group(int left, int blocks) { return left >= 8 && blocks == 2 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1; }

    /** Bias {@code b} per lane for {@link #evalPacked} on {@code blocks} lane blocks: {@code out[j·B·L + lane] = b[j]}. */
    public static float[] laneBias(float[] b, int blocks) {
        int bl = blocks * S.length();
        float[] out = new float[b.length * bl];
        for (int j = 0; j < b.length; j++) java.util.Arrays.fill(out, j * bl, (j + 1) * bl, b[j]);
        return out;
    }

    /**
     * The MLP on {@code blocks} (2 or 4) lane blocks ({@code x[i·B·L + lane]}, lanes 0..B·L) with {@link #pack}ed
     * weights and biases given per lane ({@code b[layer][j·B·L + lane]}, see {@link #laneBias}: a first layer can start
     * each lane from its own bias). Two blocks for wide layers: eight outputs share each input load and each weight broadcast serves both
     * blocks (16 accumulators). Four blocks for narrow ones, whose few outputs would otherwise leave too few independent
     * sums to hide the FMA latency: four outputs × four blocks. The weight index advances by a constant stride, so the
     * JIT can drop its range checks from the inner loop. Per output the sum starts at the bias and adds inputs in order
     * with fma. The tiles return nothing and take no vectors: a vector passed to a method the JIT does not inline is
     * boxed, which once made the 8-output tile 9× slower. Returns the output buffer.
     */
    public static float[] evalPacked(float[][] wp, float[][] b, int[] widths, float[] x, float[] y, int blocks) {
        float[] in = x, out = y;
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int fi = widths[layer], fo = widths[layer + 1];
            boolean relu = layer + 2 < widths.length;
            for (int j = 0; j < fo; ) {
                int gsz = group(fo - j, blocks);
                if (blocks == 4) {
                    switch (gsz) {
                        case 4 -> tile4x4(wp[layer], b[layer], j, fi, in, out, relu);
                        case 2 -> tile2x4(wp[layer], b[layer], j, fi, in, out, relu);
                        default -> tile1x4(wp[layer], b[layer], j, fi, in, out, relu);
                    }
                } else {
                    switch (gsz) {
                        case 8 -> tile8(wp[layer], b[layer], j, fi, in, out, relu);
                        case 4 -> tile4(wp[layer], b[layer], j, fi, in, out, relu);
                        case 2 -> tile2(wp[layer], b[layer], j, fi, in, out, relu);
                        default -> tile1(wp[layer], b[layer], j, fi, in, out, relu);
                    }
                }
                j += gsz;
            }
            float[] tmp = in;
            in = out;
            out = tmp;
        }
        return in;
    }

    private static void tile4x4(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l4 = 4 * lanes, base = j * fi;
        int o0 = j * l4, o1 = o0 + l4, o2 = o1 + l4, o3 = o2 + l4;
        FloatVector a0 = FloatVector.fromArray(S, bl, o0), b0 = FloatVector.fromArray(S, bl, o0 + lanes);
        FloatVector c0 = FloatVector.fromArray(S, bl, o0 + 2 * lanes), d0 = FloatVector.fromArray(S, bl, o0 + 3 * lanes);
        FloatVector a1 = FloatVector.fromArray(S, bl, o1), b1 = FloatVector.fromArray(S, bl, o1 + lanes);
        FloatVector c1 = FloatVector.fromArray(S, bl, o1 + 2 * lanes), d1 = FloatVector.fromArray(S, bl, o1 + 3 * lanes);
        FloatVector a2 = FloatVector.fromArray(S, bl, o2), b2 = FloatVector.fromArray(S, bl, o2 + lanes);
        FloatVector c2 = FloatVector.fromArray(S, bl, o2 + 2 * lanes), d2 = FloatVector.fromArray(S, bl, o2 + 3 * lanes);
        FloatVector a3 = FloatVector.fromArray(S, bl, o3), b3 = FloatVector.fromArray(S, bl, o3 + lanes);
        FloatVector c3 = FloatVector.fromArray(S, bl, o3 + 2 * lanes), d3 = FloatVector.fromArray(S, bl, o3 + 3 * lanes);
        for (int i = 0; i < fi; i++) {
            int xi = i * l4;
            FloatVector xa = FloatVector.fromArray(S, in, xi), xb = FloatVector.fromArray(S, in, xi + lanes);
            FloatVector xc = FloatVector.fromArray(S, in, xi + 2 * lanes), xd = FloatVector.fromArray(S, in, xi + 3 * lanes);
            int wi = base + i * 4;
            FloatVector wv = FloatVector.broadcast(S, w[wi]);
            a0 = xa.fma(wv, a0); b0 = xb.fma(wv, b0); c0 = xc.fma(wv, c0); d0 = xd.fma(wv, d0);
            wv = FloatVector.broadcast(S, w[wi + 1]);
            a1 = xa.fma(wv, a1); b1 = xb.fma(wv, b1); c1 = xc.fma(wv, c1); d1 = xd.fma(wv, d1);
            wv = FloatVector.broadcast(S, w[wi + 2]);
            a2 = xa.fma(wv, a2); b2 = xb.fma(wv, b2); c2 = xc.fma(wv, c2); d2 = xd.fma(wv, d2);
            wv = FloatVector.broadcast(S, w[wi + 3]);
            a3 = xa.fma(wv, a3); b3 = xb.fma(wv, b3); c3 = xc.fma(wv, c3); d3 = xd.fma(wv, d3);
        }
        if (relu) {
            a0 = a0.max(0f); b0 = b0.max(0f); c0 = c0.max(0f); d0 = d0.max(0f);
            a1 = a1.max(0f); b1 = b1.max(0f); c1 = c1.max(0f); d1 = d1.max(0f);
            a2 = a2.max(0f); b2 = b2.max(0f); c2 = c2.max(0f); d2 = d2.max(0f);
            a3 = a3.max(0f); b3 = b3.max(0f); c3 = c3.max(0f); d3 = d3.max(0f);
        }
        int o = j * l4;
        a0.intoArray(out, o); b0.intoArray(out, o + lanes); c0.intoArray(out, o + 2 * lanes); d0.intoArray(out, o + 3 * lanes);
        o += l4;
        a1.intoArray(out, o); b1.intoArray(out, o + lanes); c1.intoArray(out, o + 2 * lanes); d1.intoArray(out, o + 3 * lanes);
        o += l4;
        a2.intoArray(out, o); b2.intoArray(out, o + lanes); c2.intoArray(out, o + 2 * lanes); d2.intoArray(out, o + 3 * lanes);
        o += l4;
        a3.intoArray(out, o); b3.intoArray(out, o + lanes); c3.intoArray(out, o + 2 * lanes); d3.intoArray(out, o + 3 * lanes);
    }

    private static void tile2x4(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l4 = 4 * lanes, base = j * fi;
        int o0 = j * l4, o1 = o0 + l4;
        FloatVector a0 = FloatVector.fromArray(S, bl, o0), b0 = FloatVector.fromArray(S, bl, o0 + lanes);
        FloatVector c0 = FloatVector.fromArray(S, bl, o0 + 2 * lanes), d0 = FloatVector.fromArray(S, bl, o0 + 3 * lanes);
        FloatVector a1 = FloatVector.fromArray(S, bl, o1), b1 = FloatVector.fromArray(S, bl, o1 + lanes);
        FloatVector c1 = FloatVector.fromArray(S, bl, o1 + 2 * lanes), d1 = FloatVector.fromArray(S, bl, o1 + 3 * lanes);
        for (int i = 0; i < fi; i++) {
            int xi = i * l4;
            FloatVector xa = FloatVector.fromArray(S, in, xi), xb = FloatVector.fromArray(S, in, xi + lanes);
            FloatVector xc = FloatVector.fromArray(S, in, xi + 2 * lanes), xd = FloatVector.fromArray(S, in, xi + 3 * lanes);
            int wi = base + i * 2;
            FloatVector wv = FloatVector.broadcast(S, w[wi]);
            a0 = xa.fma(wv, a0); b0 = xb.fma(wv, b0); c0 = xc.fma(wv, c0); d0 = xd.fma(wv, d0);
            wv = FloatVector.broadcast(S, w[wi + 1]);
            a1 = xa.fma(wv, a1); b1 = xb.fma(wv, b1); c1 = xc.fma(wv, c1); d1 = xd.fma(wv, d1);
        }
        if (relu) {
            a0 = a0.max(0f); b0 = b0.max(0f); c0 = c0.max(0f); d0 = d0.max(0f);
            a1 = a1.max(0f); b1 = b1.max(0f); c1 = c1.max(0f); d1 = d1.max(0f);
        }
        int o = j * l4;
        a0.intoArray(out, o); b0.intoArray(out, o + lanes); c0.intoArray(out, o + 2 * lanes); d0.intoArray(out, o + 3 * lanes);
        o += l4;
        a1.intoArray(out, o); b1.intoArray(out, o + lanes); c1.intoArray(out, o + 2 * lanes); d1.intoArray(out, o + 3 * lanes);
    }

    private static void tile1x4(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l4 = 4 * lanes, base = j * fi;
        int o0 = j * l4;
        FloatVector a = FloatVector.fromArray(S, bl, o0), b = FloatVector.fromArray(S, bl, o0 + lanes);
        FloatVector c = FloatVector.fromArray(S, bl, o0 + 2 * lanes), d = FloatVector.fromArray(S, bl, o0 + 3 * lanes);
        for (int i = 0; i < fi; i++) {
            int xi = i * l4;
            FloatVector wv = FloatVector.broadcast(S, w[base + i]);
            a = FloatVector.fromArray(S, in, xi).fma(wv, a);
            b = FloatVector.fromArray(S, in, xi + lanes).fma(wv, b);
            c = FloatVector.fromArray(S, in, xi + 2 * lanes).fma(wv, c);
            d = FloatVector.fromArray(S, in, xi + 3 * lanes).fma(wv, d);
        }
        if (relu) { a = a.max(0f); b = b.max(0f); c = c.max(0f); d = d.max(0f); }
        int o = j * l4;
        a.intoArray(out, o); b.intoArray(out, o + lanes); c.intoArray(out, o + 2 * lanes); d.intoArray(out, o + 3 * lanes);
    }

    private static void tile8(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l2 = 2 * lanes, base = j * fi;
        FloatVector a0 = FloatVector.fromArray(S, bl, j * l2), c0 = FloatVector.fromArray(S, bl, j * l2 + lanes);
        FloatVector a1 = FloatVector.fromArray(S, bl, (j + 1) * l2), c1 = FloatVector.fromArray(S, bl, (j + 1) * l2 + lanes);
        FloatVector a2 = FloatVector.fromArray(S, bl, (j + 2) * l2), c2 = FloatVector.fromArray(S, bl, (j + 2) * l2 + lanes);
        FloatVector a3 = FloatVector.fromArray(S, bl, (j + 3) * l2), c3 = FloatVector.fromArray(S, bl, (j + 3) * l2 + lanes);
        FloatVector a4 = FloatVector.fromArray(S, bl, (j + 4) * l2), c4 = FloatVector.fromArray(S, bl, (j + 4) * l2 + lanes);
        FloatVector a5 = FloatVector.fromArray(S, bl, (j + 5) * l2), c5 = FloatVector.fromArray(S, bl, (j + 5) * l2 + lanes);
        FloatVector a6 = FloatVector.fromArray(S, bl, (j + 6) * l2), c6 = FloatVector.fromArray(S, bl, (j + 6) * l2 + lanes);
        FloatVector a7 = FloatVector.fromArray(S, bl, (j + 7) * l2), c7 = FloatVector.fromArray(S, bl, (j + 7) * l2 + lanes);
        for (int i = 0; i < fi; i++) {
            FloatVector xa = FloatVector.fromArray(S, in, i * l2), xb = FloatVector.fromArray(S, in, i * l2 + lanes);
            int wi = base + i * 8;
            FloatVector wv = FloatVector.broadcast(S, w[wi]);
            a0 = xa.fma(wv, a0); c0 = xb.fma(wv, c0);
            wv = FloatVector.broadcast(S, w[wi + 1]);
            a1 = xa.fma(wv, a1); c1 = xb.fma(wv, c1);
            wv = FloatVector.broadcast(S, w[wi + 2]);
            a2 = xa.fma(wv, a2); c2 = xb.fma(wv, c2);
            wv = FloatVector.broadcast(S, w[wi + 3]);
            a3 = xa.fma(wv, a3); c3 = xb.fma(wv, c3);
            wv = FloatVector.broadcast(S, w[wi + 4]);
            a4 = xa.fma(wv, a4); c4 = xb.fma(wv, c4);
            wv = FloatVector.broadcast(S, w[wi + 5]);
            a5 = xa.fma(wv, a5); c5 = xb.fma(wv, c5);
            wv = FloatVector.broadcast(S, w[wi + 6]);
            a6 = xa.fma(wv, a6); c6 = xb.fma(wv, c6);
            wv = FloatVector.broadcast(S, w[wi + 7]);
            a7 = xa.fma(wv, a7); c7 = xb.fma(wv, c7);
        }
        if (relu) { a0 = a0.max(0f); c0 = c0.max(0f); }
        a0.intoArray(out, j * l2);
        c0.intoArray(out, j * l2 + lanes);
        if (relu) { a1 = a1.max(0f); c1 = c1.max(0f); }
        a1.intoArray(out, (j + 1) * l2);
        c1.intoArray(out, (j + 1) * l2 + lanes);
        if (relu) { a2 = a2.max(0f); c2 = c2.max(0f); }
        a2.intoArray(out, (j + 2) * l2);
        c2.intoArray(out, (j + 2) * l2 + lanes);
        if (relu) { a3 = a3.max(0f); c3 = c3.max(0f); }
        a3.intoArray(out, (j + 3) * l2);
        c3.intoArray(out, (j + 3) * l2 + lanes);
        if (relu) { a4 = a4.max(0f); c4 = c4.max(0f); }
        a4.intoArray(out, (j + 4) * l2);
        c4.intoArray(out, (j + 4) * l2 + lanes);
        if (relu) { a5 = a5.max(0f); c5 = c5.max(0f); }
        a5.intoArray(out, (j + 5) * l2);
        c5.intoArray(out, (j + 5) * l2 + lanes);
        if (relu) { a6 = a6.max(0f); c6 = c6.max(0f); }
        a6.intoArray(out, (j + 6) * l2);
        c6.intoArray(out, (j + 6) * l2 + lanes);
        if (relu) { a7 = a7.max(0f); c7 = c7.max(0f); }
        a7.intoArray(out, (j + 7) * l2);
        c7.intoArray(out, (j + 7) * l2 + lanes);
    }

    private static void tile4(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l2 = 2 * lanes, base = j * fi;
        FloatVector a0 = FloatVector.fromArray(S, bl, j * l2), c0 = FloatVector.fromArray(S, bl, j * l2 + lanes);
        FloatVector a1 = FloatVector.fromArray(S, bl, (j + 1) * l2), c1 = FloatVector.fromArray(S, bl, (j + 1) * l2 + lanes);
        FloatVector a2 = FloatVector.fromArray(S, bl, (j + 2) * l2), c2 = FloatVector.fromArray(S, bl, (j + 2) * l2 + lanes);
        FloatVector a3 = FloatVector.fromArray(S, bl, (j + 3) * l2), c3 = FloatVector.fromArray(S, bl, (j + 3) * l2 + lanes);
        for (int i = 0; i < fi; i++) {
            FloatVector xa = FloatVector.fromArray(S, in, i * l2), xb = FloatVector.fromArray(S, in, i * l2 + lanes);
            int wi = base + i * 4;
            FloatVector w0 = FloatVector.broadcast(S, w[wi]), w1 = FloatVector.broadcast(S, w[wi + 1]);
            FloatVector w2 = FloatVector.broadcast(S, w[wi + 2]), w3 = FloatVector.broadcast(S, w[wi + 3]);
            a0 = xa.fma(w0, a0); c0 = xb.fma(w0, c0);
            a1 = xa.fma(w1, a1); c1 = xb.fma(w1, c1);
            a2 = xa.fma(w2, a2); c2 = xb.fma(w2, c2);
            a3 = xa.fma(w3, a3); c3 = xb.fma(w3, c3);
        }
        if (relu) { a0 = a0.max(0f); c0 = c0.max(0f); }
        a0.intoArray(out, j * l2);
        c0.intoArray(out, j * l2 + lanes);
        if (relu) { a1 = a1.max(0f); c1 = c1.max(0f); }
        a1.intoArray(out, (j + 1) * l2);
        c1.intoArray(out, (j + 1) * l2 + lanes);
        if (relu) { a2 = a2.max(0f); c2 = c2.max(0f); }
        a2.intoArray(out, (j + 2) * l2);
        c2.intoArray(out, (j + 2) * l2 + lanes);
        if (relu) { a3 = a3.max(0f); c3 = c3.max(0f); }
        a3.intoArray(out, (j + 3) * l2);
        c3.intoArray(out, (j + 3) * l2 + lanes);
    }

    private static void tile2(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l2 = 2 * lanes, base = j * fi;
        FloatVector a0 = FloatVector.fromArray(S, bl, j * l2), c0 = FloatVector.fromArray(S, bl, j * l2 + lanes);
        FloatVector a1 = FloatVector.fromArray(S, bl, (j + 1) * l2), c1 = FloatVector.fromArray(S, bl, (j + 1) * l2 + lanes);
        for (int i = 0; i < fi; i++) {
            FloatVector xa = FloatVector.fromArray(S, in, i * l2), xb = FloatVector.fromArray(S, in, i * l2 + lanes);
            int wi = base + i * 2;
            FloatVector w0 = FloatVector.broadcast(S, w[wi]), w1 = FloatVector.broadcast(S, w[wi + 1]);
            a0 = xa.fma(w0, a0); c0 = xb.fma(w0, c0);
            a1 = xa.fma(w1, a1); c1 = xb.fma(w1, c1);
        }
        if (relu) { a0 = a0.max(0f); c0 = c0.max(0f); }
        a0.intoArray(out, j * l2);
        c0.intoArray(out, j * l2 + lanes);
        if (relu) { a1 = a1.max(0f); c1 = c1.max(0f); }
        a1.intoArray(out, (j + 1) * l2);
        c1.intoArray(out, (j + 1) * l2 + lanes);
    }

    private static void tile1(float[] w, float[] bl, int j, int fi, float[] in, float[] out, boolean relu) {
        int lanes = S.length(), l2 = 2 * lanes, base = j * fi;
        FloatVector a = FloatVector.fromArray(S, bl, j * l2), c = FloatVector.fromArray(S, bl, j * l2 + lanes);
        for (int i = 0; i < fi; i++) {
            FloatVector wv = FloatVector.broadcast(S, w[base + i]);
            a = FloatVector.fromArray(S, in, i * l2).fma(wv, a);
            c = FloatVector.fromArray(S, in, i * l2 + lanes).fma(wv, c);
        }
        if (relu) { a = a.max(0f); c = c.max(0f); }
        a.intoArray(out, j * l2);
        c.intoArray(out, j * l2 + lanes);
    }
}
