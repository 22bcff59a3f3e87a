package org.lopt4j.optim.spec;

import org.lopt4j.optim.NonFiniteGradientException;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** The non-finite gradient policy written with tensor ops: the readable form of the fused statistics pass. */
public final class SpecGuard {
    private SpecGuard() {}

    /** Applies {@code policy} to {@code grads} (zeroing non-finite elements in place if it says so); false: skip. */
    public static boolean admit(NonFinitePolicy policy, Slab grads) {
        Tensor g = grads.flat();
        Tensor finite = g.sub(g).eq(g.scalar(0));                 // x − x is 0 when finite, NaN for NaN and ±Inf
        double bad = g.numel() - finite.sumAll().item();
        if (bad == 0) return true;
        return switch (policy) {
            case SKIP_AND_COUNT -> false;
            case THROW -> throw new NonFiniteGradientException((long) bad + " non-finite gradient elements");
            case ZERO_NONFINITE -> {
                g.assign(finite.where(g, g.scalar(0)));
                yield true;
            }
        };
    }
}
