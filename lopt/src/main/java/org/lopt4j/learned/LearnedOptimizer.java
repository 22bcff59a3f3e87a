package org.lopt4j.learned;

import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * learned_optimization's two-level split: meta-parameters θ are one flat vector with a named layout (a {@link Slab},
 * so evolution strategies perturb {@code theta.flat()} directly), and {@code optimizer(θ)} is an ordinary
 * {@link Optimizer} over a typed state record. A θ slab laid out as {@code thetaLayout().repeat(P)} gives P members
 * their own θ: parameter tensor {@code t} of a population slab uses member {@code t / (tensors per member)}'s θ.
 * <p>The ladder every learned optimizer follows: {@code XSpec} (tensor ops, the paper's order) → {@code XRef} (plain
 * loops in double, the twin) → {@code XSimd} (Vector API) → the device kernels ({@code x.cu}, {@code x.cl}), the last
 * three reached through {@code params.backend().fused().learned()}. The optimizer reads θ once when it is built (the
 * packed form its kernels take); its state's tables are built in {@code init} on the parameters' backend and the
 * packed θ goes there once per (optimizer, state).
 *
 * @param <S> the optimizer's state record
 */
public interface LearnedOptimizer<S extends OptState<S>> {
    String name();

    /** Named layout of one member's θ (JAX tree order). */
    SlabLayout thetaLayout();

    /** Meta-training initialization of θ. */
    Slab initTheta(RandomKey key, Backend backend);

    /** The optimizer with meta-parameters {@code theta} (one member's layout, or repeated for a population). */
    Optimizer<S> optimizer(Slab theta);

    /**
     * The optimizer with meta-parameters {@code theta}, its update applied with PyLO's {@code options}; optimizers that
     * take none accept only {@link UpdateOptions#NONE}.
     */
    default Optimizer<S> optimizer(Slab theta, UpdateOptions options) {
        if (!options.equals(UpdateOptions.NONE)) throw new IllegalArgumentException(name() + " takes no lr, weight decay or gradient norm options");
        return optimizer(theta);
    }

    /** This optimizer with every update applied with {@code options} ({@link OptionedLopt}); itself for the defaults. */
    default LearnedOptimizer<S> withOptions(UpdateOptions options) {
        return options.equals(UpdateOptions.NONE) ? this : new OptionedLopt<>(this, options);
    }

    /** The state record's type, so callers holding states of several optimizers can hand each back to its own. */
    Class<S> stateType();

    /** A population of {@code members} members that all have {@code theta} (one member's θ), on the host. */
    default Slab population(Slab theta, int members) {
        SlabLayout one = thetaLayout();
        if (!theta.layout().equals(one)) throw new IllegalArgumentException("θ does not have the " + name() + " layout");
        Slab pop = Slab.zeros(org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE, org.lopt4j.tensor.DType.F32, one.repeat(members));
        Tensor host = theta.flat().to(org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE);
        for (int m = 0; m < members; m++) pop.flat().slice(0, m * one.size(), (m + 1) * one.size(), 1).assign(host);
        return pop;
    }

    /** The number of members a θ slab holds, with a clear error when it is not whole copies of {@link #thetaLayout()}. */
    default int members(Slab theta) {
        int one = thetaLayout().size(), n = theta.layout().size() / one;
        if (n < 1 || n * one != theta.layout().size()) {
            throw new IllegalArgumentException("θ does not have the " + name() + " layout (or P copies of it for a population)");
        }
        return n;
    }
}
