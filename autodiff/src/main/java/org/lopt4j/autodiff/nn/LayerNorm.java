package org.lopt4j.autodiff.nn;

import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;

/** Layer normalisation over the last axis with {@code <name>/scale} (ones) and {@code <name>/offset} (zeros). */
public record LayerNorm(String name, int dim, double eps) {
    public LayerNorm(String name, int dim) { this(name, dim, 1e-5); }

    public List<ParamSpec> params() {
        return List.of(new ParamSpec(name + "/scale", Shape.of(dim), new Init.Ones()),
                new ParamSpec(name + "/offset", Shape.of(dim), new Init.Zeros()));
    }

    public Var apply(Params p, Var x) { return Nn.layerNorm(x, p.get(name + "/scale"), p.get(name + "/offset"), eps); }
}
