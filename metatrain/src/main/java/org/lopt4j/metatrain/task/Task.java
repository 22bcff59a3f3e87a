package org.lopt4j.metatrain.task;

import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * An inner training problem (learned_optimization's {@code Task}), population-native: {@code members} independent
 * copies live in one slab laid out as {@code layout().repeat(members)}, and one call computes all members' losses and
 * gradients as one batched model (a leading member axis). One member is {@code members = 1}.
 */
public interface Task {
    String name();

    /** One member's parameters, in JAX tree order. */
    SlabLayout layout();

    /** Parameters of {@code members} members; member m is initialized from {@code key.child(m)}. */
    Slab init(RandomKey key, Backend backend, int members);

    /** Number of examples in a split (0 for tasks without data). */
    int examples(Split split);

    /** Batch size of one member's minibatch. */
    int batchSize();

    /** The members' minibatches stacked on a leading axis: {@code idx[m]} are member m's example indices. */
    Batch batch(Backend backend, Split split, int[][] idx);

    /** Per-member losses; writes every member's gradient into {@code grads} (same layout as {@code params}). */
    double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads);

    /** Per-member losses without gradients. */
    double[] loss(Slab params, int members, Batch batch);

    /** Maps a loss into a comparable range for meta-training (tasks.md §3); NaN maps to the cap. */
    double normalize(double loss);
}
