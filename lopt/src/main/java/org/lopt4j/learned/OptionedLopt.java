package org.lopt4j.learned;

import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * A learned optimizer whose updates are applied with fixed {@link UpdateOptions}, so that code which builds optimizers
 * from θ (unrolls, populations) applies them too. θ, its layout and the architecture checkpoints record are the inner
 * optimizer's: the options are not part of θ.
 */
public record OptionedLopt<S extends OptState<S>>(LearnedOptimizer<S> inner, UpdateOptions options) implements LearnedOptimizer<S> {
    @Override public String name() { return inner.name(); }

    @Override public SlabLayout thetaLayout() { return inner.thetaLayout(); }

    @Override public Slab initTheta(RandomKey key, Backend backend) { return inner.initTheta(key, backend); }

    @Override public Optimizer<S> optimizer(Slab theta) { return inner.optimizer(theta, options); }

    @Override public Optimizer<S> optimizer(Slab theta, UpdateOptions o) { return inner.optimizer(theta, o); }

    @Override public Class<S> stateType() { return inner.stateType(); }

    /** The inner optimizer's text, which checkpoints store as the architecture θ belongs to. */
    @Override public String toString() { return inner.toString(); }
}
