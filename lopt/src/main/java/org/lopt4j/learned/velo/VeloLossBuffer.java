package org.lopt4j.learned.velo;

/**
 * VeLO's loss buffer (velo.md §4): ten EMAs of the training loss with half-lives log-spaced from 10 to the planned
 * number of steps N, a spike clip, running minima, and 9 features comparing consecutive timescales; all float32,
 * with upstream's {@code it+1} bias-correction exponent in the clip and zero features for the first two updates.
 * State is three float arrays so it lives in an optimizer-state slab.
 */
final class VeloLossBuffer {
    static final int SIZE = 10;

    private VeloLossBuffer() {}

    /** The ten decays {@code exp(−1/halflife)}, halflife = logspace(1, log10 N, 10), in float32. */
    static float[] decays(int numSteps) {
        float[] d = new float[SIZE];
        float lo = 1f, hi = (float) Math.log10(Math.max(numSteps, 10));
        for (int i = 0; i < SIZE; i++) {
            float e = lo + (hi - lo) * i / (SIZE - 1);
            float half = (float) Math.pow(10, e);
            d[i] = (float) Math.exp(-1f / half);
        }
        return d;
    }

    /** Fresh state: means 0, running minima 999999999999.0 (float32), counter 0. */
    static void init(float[] means, float[] runMin, float[] it) {
        java.util.Arrays.fill(means, 0f);
        java.util.Arrays.fill(runMin, 999999999999.0f);
        it[0] = 0;
    }

    /** One update with loss {@code l}. */
    static void update(float[] means, float[] runMin, float[] it, float[] decay, float l) {
        int n = (int) it[0];
        float amax = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < SIZE; i++) amax = Math.max(amax, means[i] / (1f - (float) Math.pow(decay[i], n + 1)));
        if (n == 0) amax = l;
        float clipped = Math.min(2f * Math.abs(amax), l);
        for (int i = 0; i < SIZE; i++) {
            means[i] = means[i] * decay[i] + clipped * (1f - decay[i]);
            runMin[i] = Math.min(runMin[i], means[i] / (1f - (float) Math.pow(decay[i], n + 1)));
        }
        it[0] = n + 1;
    }

    /** The 9 features after an update (zeros while {@code it ≤ 2}). */
    static float[] features(float[] means, float[] runMin, float[] it, float[] decay) {
        int n = (int) it[0];
        float[] f = new float[SIZE - 1];
        if (n <= 2) return f;
        float[] cm = new float[SIZE];
        for (int i = 0; i < SIZE; i++) cm[i] = means[i] / (1f - (float) Math.pow(decay[i], n));
        for (int i = 0; i < SIZE - 1; i++) {
            float x = (cm[i] - runMin[i]) / Math.max(1e-8f, cm[i + 1] - runMin[i]) - 1f;
            f[i] = Math.max(-1f, Math.min(1f, x));
        }
        return f;
    }
}
