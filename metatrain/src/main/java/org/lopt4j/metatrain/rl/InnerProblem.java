package org.lopt4j.metatrain.rl;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/** A training problem an LHOPT episode optimizes: fresh parameters, a stochastic training gradient, an evaluation loss. */
public interface InnerProblem {
    String name();

    Slab init(RandomKey key, Backend backend);

    /** The training loss at {@code params} on the sample {@code key} draws; writes the gradient into {@code grads}. */
    double lossAndGrad(Slab params, Slab grads, RandomKey key);

    /** The loss the reward compares (noise-free, or on held-out data). */
    double evalLoss(Slab params);
}
