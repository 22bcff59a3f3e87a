package org.lopt4j.metatrain.train;

/**
 * When a training run counts as diverged: its loss is not finite, or it exceeds {@code factor} times the initial loss
 * (the loss before the first update, when that is positive). A run that grows its loss tenfold has left the basin it
 * started in; a run that merely stalls or oscillates stays under the limit. {@code factor} 0 checks finiteness only.
 */
public record Divergence(double factor) {
    /** The factor the command line uses unless told otherwise. */
    public static final int DEFAULT_FACTOR = 10;

    public Divergence {
        if (!(factor >= 0) || Double.isInfinite(factor)) throw new IllegalArgumentException("the divergence factor must be finite and ≥ 0, got " + factor);
    }

    /** The default rule. */
    public static Divergence standard() { return new Divergence(DEFAULT_FACTOR); }

    /** Whether {@code loss} has diverged from {@code initial}. */
    public boolean diverged(double initial, double loss) {
        return !Double.isFinite(loss) || !Double.isFinite(initial) || (factor > 0 && initial > 0 && loss > factor * initial);
    }

    /** The one-line account of a divergence at {@code step}. */
    public String describe(int step, double initial, double loss) {
        return String.format("diverged at step %d: loss %.6g, initial loss %.6g%s", step, loss, initial,
                Double.isFinite(loss) && Double.isFinite(initial) ? String.format(" (the limit is %g × the initial loss)", factor) : "");
    }
}
