package org.lopt4j.learned;

/** Constants shared by the per-parameter MLP learned optimizers (small_fc_lopt.md, mlp_lopt.md). */
final class Features {
    /** Time-feature scales τ: {@code time[k] = tanh(t / τ_k − 1)}. */
    static final float[] TAU = {1, 3, 10, 30, 100, 300, 1e3f, 3e3f, 1e4f, 3e4f, 1e5f};
    /** Inside the per-column normalizer {@code x · rsqrt(1e-5 + mean(x²))}. */
    static final float NORM_EPS = 1e-5f;

    private Features() {}

    /** The 11 time features at update count {@code t}, in float32. */
    static float[] time(int t) {
        float[] out = new float[TAU.length];
        for (int k = 0; k < TAU.length; k++) out[k] = (float) Math.tanh(t / TAU[k] - 1f);
        return out;
    }
}
