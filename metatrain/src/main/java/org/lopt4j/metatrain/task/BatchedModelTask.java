package org.lopt4j.metatrain.task;

import java.util.Map;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Base of tasks built from the autodiff modules: the modules accept member-stacked parameters ({@code [P, ...]}, see
 * {@link Nn}), so all members run as one batched model and one backward pass gives every member's gradient.
 */
abstract class BatchedModelTask implements Task {
    protected final Model model;

    BatchedModelTask(Model model) { this.model = model; }

    /** The members' losses {@code [P]} on their batches ({@code x[p]}, {@code y[p]}). */
    protected abstract Var memberLosses(Params p, Tape tape, Batch b);

    @Override public SlabLayout layout() { return model.layout(); }

    @Override public Slab init(RandomKey key, Backend backend, int members) { return PopulationParams.init(model, key, backend, members); }

    @Override public double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads) {
        try (Tape t = new Tape()) {
            Map<String, Var> vars = PopulationParams.bind(t, params, layout(), members);
            Var losses = memberLosses(new Params(vars, params), t, batch);
            PopulationParams.gradients(vars, t.backward(losses.sumAll()), grads, layout(), members);
            return losses.value().toDoubleArray();
        }
    }

    @Override public double[] loss(Slab params, int members, Batch batch) {
        try (Tape t = new Tape()) {
            return memberLosses(new Params(PopulationParams.bind(t, params, layout(), members), params), t, batch).value().toDoubleArray();
        }
    }

    /** Mean softmax cross-entropy per member: logits {@code [P, n, classes]}, integer labels {@code [P, n]}. */
    static Var crossEntropyPerMember(Var logits, Tensor labels) {
        int classes = logits.dim(-1);
        Var hot = logits.constant(Nn.oneHot(labels, classes, DType.F32).reshape(logits.shape().dims()));
        return Nn.logSoftmax(logits, -1).mul(hot).sum(-1).mean(-1).neg();
    }
}
