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
