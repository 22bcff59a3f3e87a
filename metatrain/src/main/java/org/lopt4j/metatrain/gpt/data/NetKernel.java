package org.lopt4j.metatrain.gpt.data;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast float32 forward and backward of one {@link TaskNet} on a block of normalized images, with its own scratch
 * (one per thread). fc1 is a SIMD dot product per (image, hidden unit), its weight gradient an axpy per (image, unit)
 * that C2 vectorizes; fc2 and the softmax are scalar (10×10). Its twin is {@link ReferenceRun}.
 */
final class NetKernel {
    /** Images per evaluation block: the activations of a block stay in L1. */
    static final int CHUNK = 128;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int d, h, c = TaskNet.CLASSES, p;
    private final float[] act, logits, dl, da;

    NetKernel(TaskNet net, int maxRows) {
        d = net.inputs();
        h = net.hidden();
        p = net.parameters();
        act = new float[maxRows * h];
        logits = new float[maxRows * c];
        dl = new float[c];
        da = new float[h];
    }

    /**
     * Mean cross-entropy of θ ({@code th} from {@code to}) on rows {@code rows[0..n)} of {@code x} (or rows
     * {@code 0..n} when {@code rows} is null), labels {@code y}; writes the gradient of that mean into {@code g} from
     * {@code go} when {@code g} is not null, and the error rate into {@code errOut[0]}.
     */
    double lossAndGrad(float[] th, int to, float[] x, int[] rows, int[] y, int n, float[] g, int go, double[] errOut) {
        int b1 = to + h * d, w2 = b1 + h, b2 = w2 + c * h;
        double loss = 0;
        int wrong = 0;
        if (g != null) java.util.Arrays.fill(g, go, go + p, 0f);
        for (int r = 0; r < n; r++) {
            int row = rows == null ? r : rows[r], xo = row * d, label = y[row];
            for (int j = 0; j < h; j++) act[r * h + j] = Math.max(0f, th[b1 + j] + dot(th, to + j * d, x, xo, d));
            float max = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int k = 0; k < c; k++) {
                float z = th[b2 + k];
                for (int j = 0; j < h; j++) z += th[w2 + k * h + j] * act[r * h + j];
                logits[r * c + k] = z;
                if (z > max) { max = z; arg = k; }
            }
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(logits[r * c + k] - max);
            double lse = max + Math.log(sum);
            loss += lse - logits[r * c + label];
            if (arg != label || !(max > Float.NEGATIVE_INFINITY)) wrong++;
            if (g == null) continue;
            for (int k = 0; k < c; k++) dl[k] = (float) ((Math.exp(logits[r * c + k] - lse) - (k == label ? 1 : 0)) / n);
            java.util.Arrays.fill(da, 0f);
            for (int k = 0; k < c; k++) {
                g[go + (b2 - to) + k] += dl[k];
                for (int j = 0; j < h; j++) {
                    g[go + (w2 - to) + k * h + j] += dl[k] * act[r * h + j];
                    da[j] += th[w2 + k * h + j] * dl[k];
                }
            }
            for (int j = 0; j < h; j++) {
                if (act[r * h + j] <= 0f) continue;   // ReLU: no gradient where the unit is off
                g[go + (b1 - to) + j] += da[j];
                axpy(da[j], x, xo, g, go + j * d, d);
            }
        }
        errOut[0] = (double) wrong / n;
        return loss / n;
    }

    /** Mean loss and error of θ on all {@code n} rows of {@code x}, in blocks of {@link #CHUNK}; into {@code out[0..1]}. */
    void evaluate(float[] th, int to, float[] x, int[] y, int n, double[] out) {
        double loss = 0, err = 0;
        double[] e = new double[1];
        int[] rows = new int[CHUNK];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            for (int r = 0; r < m; r++) rows[r] = from + r;
            loss += lossAndGrad(th, to, x, rows, y, m, null, 0, e) * m;
            err += e[0] * m;
        }
        out[0] = loss / n;
        out[1] = err / n;
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += S.length()) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    private static void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += s * x[xo + i];
    }
}
