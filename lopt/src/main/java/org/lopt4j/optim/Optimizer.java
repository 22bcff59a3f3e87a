package org.lopt4j.optim;

import org.lopt4j.tensor.Slab;

/**
 * An optimizer as two functions over an explicit state record (optax's contract): {@code init} lays the state out
 * like the parameter slab, allocating everything up front; {@code update} applies one step in place to the parameter
 * slab and the state's buffers and returns the new state record (counters advanced). Hyperparameters live in the
 * implementing record; there are no hidden mutable fields. The kernels come from {@code params.backend().fused()}.
 *
 * @param <S> the state record
 */
public interface Optimizer<S extends OptState<S>> {
    /** The state for {@code params}: zeroed buffers laid out like it, counters at zero. */
    S init(Slab params);

    /**
     * One step: reads {@code grads} (which it may transform in place), updates {@code params} and the buffers of
     * {@code state} in place, and returns the state with its counters advanced (or its skip counter, when the
     * non-finite policy skips the step; then parameters and buffers are untouched).
     */
    S update(S state, Slab params, Slab grads, StepInfo info);

    /** The name stored in checkpoints, e.g. "adamw". */
    String name();

    /** The name with every hyperparameter (the record's text form), stored in checkpoints. */
    default String describe() { return toString(); }
}
