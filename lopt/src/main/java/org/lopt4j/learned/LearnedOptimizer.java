package org.lopt4j.learned;

import org.lopt4j.optim.NamedState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * learned_optimization's two-level split: meta-parameters θ are one flat vector with a named layout (a {@link Slab},
 * so evolution strategies perturb {@code theta.flat()} directly), and {@code optimizer(θ)} is an ordinary
 * {@link Optimizer}. A θ slab laid out as {@code thetaLayout().repeat(P)} gives P members their own θ: parameter
 * tensor {@code t} of a population slab uses member {@code t / (tensors per member)}'s θ.
 */
public interface LearnedOptimizer {
    String name();

    /** Named layout of one member's θ (JAX tree order). */
    SlabLayout thetaLayout();

    /** Meta-training initialization of θ. */
    Slab initTheta(RandomKey key, Backend backend);

    /** The optimizer with meta-parameters {@code theta} (one member's layout, or repeated for a population). */
    Optimizer<NamedState> optimizer(Slab theta);
}
