package org.lopt4j.optim;

import org.lopt4j.tensor.Slab;

/**
 * An optimizer as two functions over explicit state (optax's contract): {@code init} lays out the state like the
 * parameter slab; {@code update} applies one step in place to the parameter slab and the state's buffers and returns
 * the new state record. Hyperparameters live in the implementing record; no hidden mutable fields.
 */
public interface Optimizer {
    OptState init(Slab params);

    OptState update(OptState state, Slab params, Slab grads, StepInfo info);

    /** A short description with hyperparameters, stored in checkpoints. */
    String describe();
}
