package org.lopt4j.autodiff;

import java.util.Map;
import org.lopt4j.tensor.Tensor;

/** Gradients from one {@link Tape#backward} call. */
public final class Grads {
    private final Map<Var, Tensor> byVar;

    Grads(Map<Var, Tensor> byVar) { this.byVar = byVar; }

    /** The gradient of {@code v}, or zeros when the loss does not depend on it. */
    public Tensor get(Var v) {
        Tensor g = byVar.get(v);
        return g != null ? g : Tensor.zeros(v.value().backend(), v.dtype(), v.shape());
    }

    /** Whether the loss depends on {@code v}. */
    public boolean has(Var v) { return byVar.containsKey(v); }
}
