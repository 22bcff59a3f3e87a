package org.lopt4j.optim;

/** Hyperparameter checks with messages that name the optimizer and the value. */
final class Hyper {
    private Hyper() {}

    /** Requires {@code lo <= v < hi}. */
    static void inRange(String optimizer, String name, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) throw new IllegalArgumentException(optimizer + ": " + name + " must be in [" + lo + ", " + hi + "), got " + v);
    }

    /** Requires a finite {@code v >= 0}. */
    static void nonNegative(String optimizer, String name, double v) {
        if (!(v >= 0 && Double.isFinite(v))) throw new IllegalArgumentException(optimizer + ": " + name + " must be finite and >= 0, got " + v);
    }

    /** Requires a non-null value. */
    static <T> T present(String optimizer, String name, T v) {
        if (v == null) throw new IllegalArgumentException(optimizer + ": " + name + " is required");
        return v;
    }
}
