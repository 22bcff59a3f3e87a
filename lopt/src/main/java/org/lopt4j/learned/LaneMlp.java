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
