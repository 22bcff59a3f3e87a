package org.lopt4j.metatrain.task;

import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * A task whose meta-loss normalizer is its own (clip, NaN to the cap) followed by its family's {@link LossScale}:
 * the same training problem, a meta-loss comparable across families.
 */
public record NormalizedTask(Task base, LossScale scale) implements Task {
    @Override public String name() { return base.name(); }
    @Override public SlabLayout layout() { return base.layout(); }
    @Override public Slab init(RandomKey key, Backend backend, int members) { return base.init(key, backend, members); }
    @Override public int examples(Split split) { return base.examples(split); }
    @Override public int batchSize() { return base.batchSize(); }
    @Override public Batch batch(Backend backend, Split split, int[][] idx) { return base.batch(backend, split, idx); }
    @Override public double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads) { return base.lossAndGrad(params, members, batch, grads); }
    @Override public double[] loss(Slab params, int members, Batch batch) { return base.loss(params, members, batch); }
    @Override public double normalize(double loss) { return scale.apply(base.normalize(loss)); }
}
