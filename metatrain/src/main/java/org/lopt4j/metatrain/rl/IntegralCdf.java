package org.lopt4j.metatrain.rl;

/**
 * lhopt.md §4's {@code integral_cdf} (its implementable reading): where a series' newest value sits in its own
 * exponentially weighted history, in [0, 1]. The weights grow geometrically from the oldest value to the newest by
 * {@code endWeight}; the feature is the weighted share of values below the newest (equal ones count half), so a new
 * minimum reads near 0, a new maximum near 1, whatever the series' scale. One value reads 0.5.
 */
public final class IntegralCdf {
    /** The end weights lhopt.md §4 lists. */
    public static final double[] END_WEIGHTS = {1.25, 2.5, 5, 10, 20};

    private IntegralCdf() {}

    /** The feature of {@code x[0..n)} (oldest first) for {@code endWeight}. */
    public static double of(double[] x, int n, double endWeight) {
        if (n <= 1) return 0.5;
        double last = x[n - 1], ratio = Math.pow(endWeight, 1.0 / (n - 1)), w = 1, below = 0, total = 0;
        for (int i = 0; i < n; i++) {
            if (x[i] < last) below += w;
            else if (x[i] == last) below += 0.5 * w;
            total += w;
            w *= ratio;
        }
        return below / total;
    }
}
