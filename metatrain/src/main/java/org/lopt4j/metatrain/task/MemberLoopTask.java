package org.lopt4j.metatrain.task;

import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Base of tasks whose models (convolutions, recurrent and attention language models) are not written with a member
 * axis: members run one after another, each on its own slice of the population slab and of the batch.
 */
abstract class MemberLoopTask implements Task {
    protected final Model model;

    MemberLoopTask(Model model) { this.model = model; }

    /** One member's scalar loss on its own batch ({@code x[m]}, {@code y[m]}). */
    protected abstract Var memberLoss(Params p, Tape tape, Batch b);

    @Override public SlabLayout layout() { return model.layout(); }

    @Override public Slab init(RandomKey key, Backend backend, int members) { return PopulationParams.init(model, key, backend, members); }

    private Slab member(Slab pop, int m) {
        int size = layout().size();
        return new Slab(layout(), pop.flat().slice(0, m * size, (m + 1) * size, 1));
    }

    private static Batch slice(Batch b, int m) {
        return new Batch(squeeze(b.x().slice(0, m, m + 1, 1)), squeeze(b.y().slice(0, m, m + 1, 1)));
    }

    private static Tensor squeeze(Tensor t) {
        int[] d = t.shape().dims();
        return t.reshape(java.util.Arrays.copyOfRange(d, 1, d.length));
    }

    @Override public double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads) {
        double[] out = new double[members];
        for (int m = 0; m < members; m++) {
            try (Tape t = new Tape()) {
                Params p = model.bind(t, member(params, m));
                Var loss = memberLoss(p, t, slice(batch, m));
                model.gradients(p, t.backward(loss), member(grads, m));
                out[m] = loss.value().item();
            }
        }
        return out;
    }

    @Override public double[] loss(Slab params, int members, Batch batch) {
        double[] out = new double[members];
        for (int m = 0; m < members; m++) {
            try (Tape t = new Tape()) {
                out[m] = memberLoss(model.bind(t, member(params, m)), t, slice(batch, m)).value().item();
            }
        }
        return out;
    }
}
