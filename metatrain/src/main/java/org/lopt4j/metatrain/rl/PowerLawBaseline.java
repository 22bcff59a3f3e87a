package org.lopt4j.metatrain.rl;

/**
 * The Adam baseline of LHOPT's reward (lhopt.md §4, a reading of its config): {@code L(s) = a + b·s^−c} fitted to the
 * baseline's evaluation losses at steps {@code s} (the initial loss as an anchor at s = 1), by least squares in
 * (a, b) for each c of a log-spaced grid; {@link #equivalentSteps} inverts it, capped at twice the run.
 */
public record PowerLawBaseline(double a, double b, double c, double maxSteps) {
    public static PowerLawBaseline fit(double[] steps, double[] losses, double maxSteps) {
        double bestErr = Double.POSITIVE_INFINITY, ba = 0, bb = 0, bc = 1;
        for (int k = 0; k < 80; k++) {
            double c = Math.exp(Math.log(0.02) + k * (Math.log(4) - Math.log(0.02)) / 79);
            double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (int i = 0; i < steps.length; i++) {
                if (!Double.isFinite(losses[i])) continue;
                double x = Math.pow(Math.max(1, steps[i]), -c), y = losses[i];
                n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
            }
            double det = n * sxx - sx * sx;
            if (n < 2 || Math.abs(det) < 1e-300) continue;
            double b = (n * sxy - sx * sy) / det, a = (sy - b * sx) / n, err = 0;
            for (int i = 0; i < steps.length; i++) {
                if (!Double.isFinite(losses[i])) continue;
                double r = a + b * Math.pow(Math.max(1, steps[i]), -c) - losses[i];
                err += r * r;
            }
            if (err < bestErr) { bestErr = err; ba = a; bb = b; bc = c; }
        }
        return new PowerLawBaseline(ba, bb, bc, maxSteps);
    }

    /** The baseline's loss after {@code s} steps. */
    public double loss(double s) { return a + b * Math.pow(Math.max(1, s), -c); }

    /** Steps the baseline needs to reach {@code loss}: in [1, maxSteps]; maxSteps when it never does. */
    public double equivalentSteps(double loss) {
        if (!Double.isFinite(loss)) return 1;
        if (b <= 0) return loss <= a ? maxSteps : 1;
        double q = (loss - a) / b;
        if (q <= 0) return maxSteps;
        return Math.max(1, Math.min(maxSteps, Math.pow(q, -1 / c)));
    }
}
