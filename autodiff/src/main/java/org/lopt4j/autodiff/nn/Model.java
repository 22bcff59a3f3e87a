package org.lopt4j.autodiff.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.autodiff.Grads;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The parameters of a model: the specs its modules declare, laid out once in one slab in JAX tree order. It
 * initializes a parameter slab, binds a slab to tape variables for a forward pass, and gathers gradients into a
 * slab of the same layout, so optimizers make one pass over all tensors.
 */
public final class Model {
    private final Map<String, ParamSpec> specs = new LinkedHashMap<>();
    private final SlabLayout layout;

    public Model(List<ParamSpec> declared) {
        for (ParamSpec p : declared) {
            if (specs.put(p.name(), p) != null) throw new IllegalArgumentException("parameter declared twice: " + p.name());
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        specs.forEach((k, v) -> shapes.put(k, v.shape()));
        layout = SlabLayout.sorted(shapes);
    }

    public SlabLayout layout() { return layout; }

    /** A new parameter slab; parameter i (in layout order) draws from {@code key.child(i)}. */
    public Slab init(RandomKey key, Backend b, DType dtype) {
        Slab s = Slab.zeros(b, dtype, layout);
        for (int i = 0; i < layout.count(); i++) {
            ParamSpec p = specs.get(layout.names().get(i));
            Tensor t = s.tensor(i);
            switch (p.init()) {
                case Init.Zeros z -> { }
                case Init.Ones o -> t.fill(1);
                case Init.TruncatedNormal n -> t.assign(Tensor.random(b, dtype, p.shape(), key.child(i), Op.Dist.TRUNCATED_NORMAL)
                        .mul(Tensor.full(b, dtype, Shape.SCALAR, n.stddev() / Init.TruncatedNormal.TRUNCATED_STD)));
            }
        }
        return s;
    }

    /** Tape variables viewing each tensor of {@code params}, by name. */
    public Params bind(Tape tape, Slab params) {
        if (!params.layout().equals(layout)) throw new IllegalArgumentException("slab layout does not match the model");
        Map<String, Var> vars = new LinkedHashMap<>();
        for (int i = 0; i < layout.count(); i++) vars.put(layout.names().get(i), tape.param(params.tensor(i)));
        return new Params(vars, params);
    }

    /** Writes the gradient of every parameter into {@code out} (same layout), zeros where the loss does not depend. */
    public void gradients(Params p, Grads g, Slab out) { g.writeTo(p.slab(), out); }
}
