package org.lopt4j.learned;

import org.lopt4j.optim.StepInfo;

/** The 11 time features every per-parameter MLP optimizer reads (small_fc_lopt.md §6, mlp_lopt.md), and the norm eps. */
public final class TimeFeatures {
    /** Time-feature scales τ: {@code time[k] = tanh(t / τ_k − 1)}. */
    public static final float[] TAU = {1, 3, 10, 30, 100, 300, 1e3f, 3e3f, 1e4f, 3e4f, 1e5f};
    /** Inside the per-column normalizer {@code x · rsqrt(1e-5 + mean(x²))}. */
    public static final float NORM_EPS = 1e-5f;

    private TimeFeatures() {}

    /** The 11 time features at update count {@code t}, in float32. */
    public static float[] of(int t) {
        float[] out = new float[TAU.length];
        for (int k = 0; k < TAU.length; k++) out[k] = (float) Math.tanh(t / TAU[k] - 1f);
        return out;
    }

    /** Every member's time features, member after member (members × 11 floats). */
    public static float[] flat(int[] steps) {
        float[] out = new float[steps.length * TAU.length];
        for (int m = 0; m < steps.length; m++) System.arraycopy(of(steps[m]), 0, out, m * TAU.length, TAU.length);
        return out;
    }

    /** Each member's update count: its own from {@code info} when given, else {@code stateStep}. */
    public static int[] steps(StepInfo info, int members, int stateStep) {
        info.checkMembers(members);
        int[] s = new int[members];
        for (int m = 0; m < members; m++) s[m] = info.stepOf(m, stateStep);
        return s;
    }
}
