package org.lopt4j.learned;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.cpu.Species;

/**
 * A per-parameter MLP evaluated on {@link Species#F32}-lane blocks: inputs lane-blocked ({@code x[i·L + lane]}), ReLU
 * between layers, linear output; weights row-major {@code [fan_in × fan_out]}.
 */
final class LaneMlp {
    static final VectorSpecies<Float> S = Species.F32;

    private LaneMlp() {}

    static int lanes() { return S.length(); }

    /** Evaluates the layers; {@code x} and {@code y} are scratch of at least max(width)·L; returns the output buffer. */
    static float[] eval(float[][] w, float[][] b, int[] widths, float[] x, float[] y) {
        int lanes = S.length();
        float[] in = x, out = y;
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int fi = widths[layer], fo = widths[layer + 1];
            float[] wl = w[layer], bl = b[layer];
            boolean relu = layer + 2 < widths.length;
            int j = 0;
            for (; j + 8 <= fo; j += 8) {   // eight outputs share each input load
                FloatVector a0 = FloatVector.broadcast(S, bl[j]), a1 = FloatVector.broadcast(S, bl[j + 1]);
                FloatVector a2 = FloatVector.broadcast(S, bl[j + 2]), a3 = FloatVector.broadcast(S, bl[j + 3]);
                FloatVector a4 = FloatVector.broadcast(S, bl[j + 4]), a5 = FloatVector.broadcast(S, bl[j + 5]);
                FloatVector a6 = FloatVector.broadcast(S, bl[j + 6]), a7 = FloatVector.broadcast(S, bl[j + 7]);
                for (int i = 0; i < fi; i++) {
                    FloatVector xi = FloatVector.fromArray(S, in, i * lanes);
                    int wi = i * fo + j;
                    a0 = xi.fma(FloatVector.broadcast(S, wl[wi]), a0);
                    a1 = xi.fma(FloatVector.broadcast(S, wl[wi + 1]), a1);
                    a2 = xi.fma(FloatVector.broadcast(S, wl[wi + 2]), a2);
                    a3 = xi.fma(FloatVector.broadcast(S, wl[wi + 3]), a3);
                    a4 = xi.fma(FloatVector.broadcast(S, wl[wi + 4]), a4);
                    a5 = xi.fma(FloatVector.broadcast(S, wl[wi + 5]), a5);
                    a6 = xi.fma(FloatVector.broadcast(S, wl[wi + 6]), a6);
                    a7 = xi.fma(FloatVector.broadcast(S, wl[wi + 7]), a7);
                }
                if (relu) {
                    a0 = a0.max(0f); a1 = a1.max(0f); a2 = a2.max(0f); a3 = a3.max(0f);
                    a4 = a4.max(0f); a5 = a5.max(0f); a6 = a6.max(0f); a7 = a7.max(0f);
                }
                a0.intoArray(out, j * lanes);
                a1.intoArray(out, (j + 1) * lanes);
                a2.intoArray(out, (j + 2) * lanes);
                a3.intoArray(out, (j + 3) * lanes);
                a4.intoArray(out, (j + 4) * lanes);
                a5.intoArray(out, (j + 5) * lanes);
                a6.intoArray(out, (j + 6) * lanes);
                a7.intoArray(out, (j + 7) * lanes);
            }
            for (; j + 4 <= fo; j += 4) {   // four outputs share each input load
                FloatVector a0 = FloatVector.broadcast(S, bl[j]), a1 = FloatVector.broadcast(S, bl[j + 1]);
                FloatVector a2 = FloatVector.broadcast(S, bl[j + 2]), a3 = FloatVector.broadcast(S, bl[j + 3]);
                for (int i = 0; i < fi; i++) {
                    FloatVector xi = FloatVector.fromArray(S, in, i * lanes);
                    int wi = i * fo + j;
                    a0 = xi.fma(FloatVector.broadcast(S, wl[wi]), a0);
                    a1 = xi.fma(FloatVector.broadcast(S, wl[wi + 1]), a1);
                    a2 = xi.fma(FloatVector.broadcast(S, wl[wi + 2]), a2);
                    a3 = xi.fma(FloatVector.broadcast(S, wl[wi + 3]), a3);
                }
                if (relu) { a0 = a0.max(0f); a1 = a1.max(0f); a2 = a2.max(0f); a3 = a3.max(0f); }
                a0.intoArray(out, j * lanes);
                a1.intoArray(out, (j + 1) * lanes);
                a2.intoArray(out, (j + 2) * lanes);
                a3.intoArray(out, (j + 3) * lanes);
            }
            for (; j < fo; j++) {
                FloatVector acc = FloatVector.broadcast(S, bl[j]);
                for (int i = 0; i < fi; i++) acc = FloatVector.fromArray(S, in, i * lanes).fma(FloatVector.broadcast(S, wl[i * fo + j]), acc);
                if (relu) acc = acc.max(0f);
                acc.intoArray(out, j * lanes);
            }
            float[] tmp = in;
            in = out;
            out = tmp;
        }
        return in;
    }

    /**
     * {@link #eval} on two lane blocks at once ({@code x[i·2L + lane]}, lanes 0..2L): each weight broadcast serves both
     * blocks, so the inner loop loads 2 inputs and 4 weights per 8 FMAs instead of 1 and 4 per 4 (the loads, not the
     * FMAs, bound the one-block loop of narrow layers). Same arithmetic per lane as {@link #eval}, so the same bits.
     * Four outputs at a time: with eight, the 16 accumulators spilled and the width-32 MLP ran 2.5× slower.
     */
    static float[] eval2(float[][] w, float[][] b, int[] widths, float[] x, float[] y) {
        int lanes = S.length(), l2 = 2 * lanes;
        float[] in = x, out = y;
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int fi = widths[layer], fo = widths[layer + 1];
            float[] wl = w[layer], bl = b[layer];
            boolean relu = layer + 2 < widths.length;
            int j = 0;
            for (; j + 4 <= fo; j += 4) {
                FloatVector a0 = FloatVector.broadcast(S, bl[j]), a1 = FloatVector.broadcast(S, bl[j + 1]);
                FloatVector a2 = FloatVector.broadcast(S, bl[j + 2]), a3 = FloatVector.broadcast(S, bl[j + 3]);
                FloatVector c0 = a0, c1 = a1, c2 = a2, c3 = a3;
                for (int i = 0; i < fi; i++) {
                    FloatVector xa = FloatVector.fromArray(S, in, i * l2), xb = FloatVector.fromArray(S, in, i * l2 + lanes);
                    int wi = i * fo + j;
                    FloatVector w0 = FloatVector.broadcast(S, wl[wi]), w1 = FloatVector.broadcast(S, wl[wi + 1]);
                    FloatVector w2 = FloatVector.broadcast(S, wl[wi + 2]), w3 = FloatVector.broadcast(S, wl[wi + 3]);
                    a0 = xa.fma(w0, a0); c0 = xb.fma(w0, c0);
                    a1 = xa.fma(w1, a1); c1 = xb.fma(w1, c1);
                    a2 = xa.fma(w2, a2); c2 = xb.fma(w2, c2);
                    a3 = xa.fma(w3, a3); c3 = xb.fma(w3, c3);
                }
                store(a0, c0, relu, out, j * l2, lanes);
                store(a1, c1, relu, out, (j + 1) * l2, lanes);
                store(a2, c2, relu, out, (j + 2) * l2, lanes);
                store(a3, c3, relu, out, (j + 3) * l2, lanes);
            }
            for (; j < fo; j++) {
                FloatVector a = FloatVector.broadcast(S, bl[j]), c = a;
                for (int i = 0; i < fi; i++) {
                    FloatVector wv = FloatVector.broadcast(S, wl[i * fo + j]);
                    a = FloatVector.fromArray(S, in, i * l2).fma(wv, a);
                    c = FloatVector.fromArray(S, in, i * l2 + lanes).fma(wv, c);
                }
                store(a, c, relu, out, j * l2, lanes);
            }
            float[] tmp = in;
            in = out;
            out = tmp;
        }
        return in;
    }

    /** Stores one output of both blocks, ReLU applied when asked. */
    private static void store(FloatVector a, FloatVector c, boolean relu, float[] out, int at, int lanes) {
        if (relu) { a = a.max(0f); c = c.max(0f); }
        a.intoArray(out, at);
        c.intoArray(out, at + lanes);
    }

    /** The same MLP for one input vector, in double (the twins' version). */
    static double[] eval(float[][] w, float[][] b, int[] widths, double[] x) {
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
