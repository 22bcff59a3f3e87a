package org.lopt4j.metatrain.outer;

import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.Slab;

/**
 * The inner state of a truncated unroll over {@code problems × copies} members (outer_training.md §2): the members'
 * parameters and learned-optimizer state in population slabs, and per problem its episode step, its optimizer's own
 * update count, its episode length and whether the next step resets it. Copies of a problem (antithetic ±) share the
 * counters. Arrays are owned by the state; {@link #copy} makes an independent one.
 */
public record UnrollState(Slab params, NamedState opt, int[] iteration, int[] optStep, int[] length, boolean[] done) {
    /** Number of problems. */
    public int problems() { return iteration.length; }

    /** A deep copy (slabs and arrays). */
    public UnrollState copy() {
        return new UnrollState(params.copy(), opt.copy(), iteration.clone(), optStep.clone(), length.clone(), done.clone());
    }
}
