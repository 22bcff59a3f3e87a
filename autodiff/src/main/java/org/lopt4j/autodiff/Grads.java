package org.lopt4j.autodiff;

import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** The gradients of one {@link Tape#backward} call, for the tape's parameters. */
public final class Grads {
    private final Map<Var, Tensor> byParam;
    private final List<Var> tapeParams;

    Grads(Map<Var, Tensor> byParam, List<Var> tapeParams) {
        this.byParam = byParam;
        this.tapeParams = List.copyOf(tapeParams);
    }

    /** The gradient of parameter {@code v}, or zeros when the loss does not depend on it. */
    public Tensor get(Var v) {
        if (!v.isParam()) throw new IllegalArgumentException("gradients are kept for parameters only, not for " + v);
        Tensor g = byParam.get(v);
        return g != null ? g : Tensor.zeros(v.value().backend(), v.dtype(), v.shape());
    }

    /** Whether the loss depends on parameter {@code v}. */
    public boolean has(Var v) { return byParam.containsKey(v); }

    /**
     * Writes the gradient with respect to every element of {@code params} into {@code grads} (same layout) in one
     * go: zeros first, then each parameter of the tape that views {@code params}' buffer adds its gradient into the
     * same view of {@code grads}. Any view works (the slab's own tensors, member-stacked strided views, the flat
     * buffer); elements viewed twice get the sum, elements no parameter views stay zero.
     */
    public void writeTo(Slab params, Slab grads) {
        if (!params.layout().equals(grads.layout())) {
            throw new IllegalArgumentException("gradient slab layout differs from the parameter slab's");
        }
        if (params.dtype() != grads.dtype() || params.backend() != grads.backend()) {
            throw new IllegalArgumentException("gradient slab is " + grads.dtype() + " on " + grads.backend().name()
                    + ", parameter slab " + params.dtype() + " on " + params.backend().name());
        }
        Tensor pf = params.flat(), gf = grads.flat();
        List<Var> viewing = tapeParams.stream().filter(p -> inside(p.value(), pf)).toList();
        if (viewing.isEmpty()) throw new IllegalArgumentException("no parameter of the tape views the given parameter slab");
        gf.fill(0);
        for (Var p : viewing) {
            Tensor v = p.value(), g = byParam.get(p);
            if (g == null) continue;
            Tensor.view(gf.backend(), gf.storage(), v.shape(), v.strides(), gf.offset() + v.offset() - pf.offset())
                    .applyInPlace(Op.Binary.ADD, g);
        }
    }

    /** Whether every element of {@code v} lies in the buffer region of {@code flat} (not another slab's). */
    private static boolean inside(Tensor v, Tensor flat) {
        if (v.storage() != flat.storage() || v.numel() == 0) return false;
        long lo = v.offset(), hi = v.offset();
        for (int i = 0; i < v.rank(); i++) {
            long ext = (long) v.stride(i) * (v.dim(i) - 1);
            if (ext < 0) lo += ext; else hi += ext;
        }
        return lo >= flat.offset() && hi < flat.offset() + flat.numel();
    }
}
