package org.lopt4j.optim;

import org.lopt4j.tensor.Slab;

/** The non-finite gradient policy as one call, for optimizers outside this package (learned optimizers). */
public final class NonFiniteGuard {
    private NonFiniteGuard() {}

    /** Applies {@code policy} to {@code grads}; false means: skip this step (parameters and state untouched). */
    public static boolean admit(NonFinitePolicy policy, Slab grads) { return Fused.admit(policy, grads); }
}
