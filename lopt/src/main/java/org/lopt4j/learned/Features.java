package org.lopt4j.learned;

/** Constants shared by the per-parameter MLP learned optimizers (small_fc_lopt.md, mlp_lopt.md). */
final class Features {
    /** Time-feature scales τ: {@code time[k] = tanh(t / τ_k − 1)}. */
    static final float[] TAU = {1, 3, 10, 30, 100, 300, 1e3f, 3e3f, 1e4f, 3e4f, 1e5f};
    /** Inside the per-column normalizer {@code x · rsqrt(1e-5 + mean(x²))}. */
    static final float NORM_EPS = 1e-5f;

    private Features() {}

    /** The 11 time features at update count {@code t}, in float32. */
    /** The time features of each member's update count. */
    static float[][] time(int[] steps) {
        float[][] out = new float[steps.length][];
        for (int m = 0; m < steps.length; m++) out[m] = time(steps[m]);
        return out;
    }

    /** Each member's update count: its own from {@code info} when given, else the state's. */
    static int[] steps(org.lopt4j.optim.StepInfo info, int members, int stateStep) {
        info.checkMembers(members);
        int[] s = new int[members];
        for (int m = 0; m < members; m++) s[m] = info.stepOf(m, stateStep);
        return s;
    }

    static float[] time(int t) {
        float[] out = new float[TAU.length];
        for (int k = 0; k < TAU.length; k++) out[k] = (float) Math.tanh(t / TAU[k] - 1f);
        return out;
    }
}
