package org.lopt4j.metatrain.outer;

import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.Slab;

/**
 * The inner state of a truncated unroll over {@code problems × copies} members (outer_training.md §2): the members'
 * parameters and learned-optimizer state in population slabs, and per problem its episode step, its optimizer's own
 * update count, its episode length and whether the next step resets it. Copies of a problem (antithetic ±) share the
 * counters. With a task family, {@code taskKeys} holds each problem's task sample key (k0, k1); empty with one fixed
 * task. Arrays are owned by the state; {@link #copy} makes an independent one.
 */
public record UnrollState(Slab params, OptState<?> opt, int[] iteration, int[] optStep, int[] length, boolean[] done, int[] taskKeys) {
    /** A state over one fixed task. */
    public UnrollState(Slab params, OptState<?> opt, int[] iteration, int[] optStep, int[] length, boolean[] done) {
        this(params, opt, iteration, optStep, length, done, new int[0]);
    }

    /** Problem i's task sample key (family unrolls). */
    public org.lopt4j.tensor.RandomKey taskKey(int i) { return new org.lopt4j.tensor.RandomKey(taskKeys[2 * i], taskKeys[2 * i + 1]); }

    /** Number of problems. */
    public int problems() { return iteration.length; }

    /** A deep copy (slabs and arrays). */
    public UnrollState copy() {
        return new UnrollState(params.copy(), opt.copy(), iteration.clone(), optStep.clone(), length.clone(), done.clone(), taskKeys.clone());
    }
}
