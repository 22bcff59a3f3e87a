package org.lopt4j.autodiff.nn;

import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** Token embedding {@code <name>/embeddings [vocab, dim]} (Haiku's default init: truncated normal, stddev 1). */
public record Embedding(String name, int vocab, int dim) {
    public List<ParamSpec> params() {
        return List.of(new ParamSpec(name + "/embeddings", Shape.of(vocab, dim), new Init.TruncatedNormal(1)));
    }

    /** Rows for integer {@code ids} of any shape: output {@code ids.shape + [dim]}. */
    public Var apply(Params p, Tensor ids) { return Nn.embedding(p.get(name + "/embeddings"), ids); }
}
