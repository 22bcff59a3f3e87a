package org.lopt4j.autodiff.nn;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;

/** Dense layer {@code y = x·w + b}, Haiku layout: {@code <name>/w [in, out]}, {@code <name>/b [out]}. */
public record Linear(String name, int in, int out, boolean bias) {
    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        p.add(new ParamSpec(name + "/w", Shape.of(in, out), Init.fanIn(in)));
        if (bias) p.add(new ParamSpec(name + "/b", Shape.of(out), new Init.Zeros()));
        return p;
    }

    public Var apply(Params p, Var x) {
        return Nn.linear(x, p.get(name + "/w"), bias ? p.get(name + "/b") : null);
    }
}
