package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.TensorLike;

/**
 * A tensor on a {@link Tape}. Each differentiable primitive is written once, here: the forward on tensors and, beside
 * it, the backward that maps the output's gradient to the inputs' (computed only for inputs that need one).
 * Composites ({@link Nn}) get gradients for free. Ties of {@code maximum}, {@code minimum} and {@code maxKeep}
 * share the gradient equally among the tied elements, as JAX and PyTorch do for maximum.
 */
public final class Var implements TensorLike<Var> {
    private final Tape tape;
    private final Tensor value;
    private final boolean requiresGrad;
    private final boolean leaf;

    Var(Tape tape, Tensor value, boolean requiresGrad, boolean leaf) {
        this.tape = tape;
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.leaf = leaf;
    }

    /** The tape this variable belongs to. */
    public Tape tape() { return tape; }

    /** Whether a gradient flows into this variable. */
    public boolean requiresGrad() { return requiresGrad; }

    /** Whether this is a parameter ({@link Tape#param}): a leaf whose gradient {@link Grads} keeps. */
    public boolean isParam() { return leaf && requiresGrad; }

    @Override public Tensor value() { return value; }
    @Override public Shape shape() { return value.shape(); }
    @Override public DType dtype() { return value.dtype(); }
    @Override public Var constant(Tensor t) { return tape.constant(t); }
    @Override public Var detach() { return tape.constant(value); }

    /** Records a one-input op. */
    private Var unary(Tensor out, UnaryOperator<Tensor> d) {
        return tape.record(out, g -> new Tensor[] {d.apply(g)}, this);
    }

    /** Records a two-input op; each input's backward runs only when that input needs a gradient. */
    private Var binary(Var o, Tensor out, UnaryOperator<Tensor> dThis, UnaryOperator<Tensor> dOther) {
        boolean a = requiresGrad, b = o.requiresGrad;
        return tape.record(out, g -> new Tensor[] {a ? dThis.apply(g) : null, b ? dOther.apply(g) : null}, this, o);
    }

    /** Sums {@code g} down to {@code s} over broadcast axes (the adjoint of broadcasting). */
    static Tensor unbroadcast(Tensor g, Shape s) {
        if (g.shape().equals(s)) return g;
        int lead = g.rank() - s.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (s.dims()[i - lead] == 1 && g.shape().dims()[i] != 1)) axes.add(i);
        }
        return g.sumKeep(axes.stream().mapToInt(Integer::intValue).toArray()).reshape(s.dims());
    }

    /** 1 where {@code a > b}, 1/2 where they tie, else 0: the share of a maximum's gradient that goes to {@code a}. */
    private static Tensor winnerShare(Tensor a, Tensor b) { return b.lt(a).add(a.eq(b).mul(a.scalar(0.5))); }

    // ---------------------------------------------------------------- binary (broadcasting)

    @Override public Var add(Var o) {
        return binary(o, value.add(o.value), g -> unbroadcast(g, shape()), g -> unbroadcast(g, o.shape()));
    }

    @Override public Var sub(Var o) {
        return binary(o, value.sub(o.value), g -> unbroadcast(g, shape()), g -> unbroadcast(g.neg(), o.shape()));
    }

    @Override public Var mul(Var o) {
        return binary(o, value.mul(o.value), g -> unbroadcast(g.mul(o.value), shape()), g -> unbroadcast(g.mul(value), o.shape()));
    }

    @Override public Var div(Var o) {
        Tensor y = value.div(o.value);
        return binary(o, y, g -> unbroadcast(g.div(o.value), shape()), g -> unbroadcast(g.mul(y).div(o.value).neg(), o.shape()));
    }

    @Override public Var maximum(Var o) {
        return binary(o, value.maximum(o.value), g -> unbroadcast(g.mul(winnerShare(value, o.value)), shape()),
                g -> unbroadcast(g.mul(winnerShare(o.value, value)), o.shape()));
    }

    @Override public Var minimum(Var o) {
        return binary(o, value.minimum(o.value), g -> unbroadcast(g.mul(winnerShare(o.value, value)), shape()),
                g -> unbroadcast(g.mul(winnerShare(value, o.value)), o.shape()));
    }

    /** Not differentiable: a constant. */
    @Override public Var lt(Var o) { return constantOf(o, value.lt(o.value)); }

    /** Not differentiable: a constant. */
    @Override public Var eq(Var o) { return constantOf(o, value.eq(o.value)); }

    private Var constantOf(Var o, Tensor t) {
        if (o.tape != tape) throw new IllegalArgumentException("variable " + o + " belongs to another tape");
        return tape.constant(t);
    }

    // ---------------------------------------------------------------- unary

    @Override public Var neg() { return unary(value.neg(), Tensor::neg); }

    @Override public Var recip() {
        Tensor y = value.recip();
        return unary(y, g -> g.mul(y).mul(y).neg());
    }

    @Override public Var exp() {
        Tensor y = value.exp();
        return unary(y, g -> g.mul(y));
    }

    @Override public Var log() { return unary(value.log(), g -> g.div(value)); }

    @Override public Var sqrt() {
        Tensor y = value.sqrt();
        return unary(y, g -> g.div(y).mul(y.scalar(0.5)));
    }

    @Override public Var tanh() {
        Tensor y = value.tanh();
        return unary(y, g -> g.mul(y.mul(y).neg().add(y.scalar(1))));
    }

    /** The subgradient at 0 is 0. */
    @Override public Var abs() { return unary(value.abs(), g -> g.mul(value.sign())); }

    /** Zero gradient almost everywhere: a constant. */
    @Override public Var sign() { return tape.constant(value.sign()); }

    /** No gradient flows into the condition. */
    @Override public Var where(Var a, Var b) {
        boolean da = a.requiresGrad, db = b.requiresGrad;
        return tape.record(value.where(a.value, b.value), g -> {
            Tensor z = g.scalar(0);
            return new Tensor[] {null, da ? unbroadcast(value.where(g, z), a.shape()) : null,
                    db ? unbroadcast(value.where(z, g), b.shape()) : null};
        }, this, a, b);
    }

    // ---------------------------------------------------------------- reductions, matmul, gather

    @Override public Var sumKeep(int... axes) {
        return unary(value.sumKeep(axes), g -> g.expand(shape()).contiguous());
    }

    /** Ties share the gradient equally. */
    @Override public Var maxKeep(int... axes) {
        Tensor m = value.maxKeep(axes);
        return unary(m, g -> {
            Tensor hit = value.eq(m);
            return hit.div(hit.sumKeep(axes)).mul(g);
        });
    }

    /** Batched, with broadcast batch axes: {@code dA = dC·Bᵀ}, {@code dB = Aᵀ·dC}, each summed over broadcast axes. */
    @Override public Var matmul(Var o) {
        return binary(o, value.matmul(o.value), g -> unbroadcast(g.matmul(o.value.mT()), shape()),
                g -> unbroadcast(value.mT().matmul(g), o.shape()));
    }

    /** The gradient scatters back as a one-hot matrix product {@code onehot(indices)ᵀ·dOut} (no scatter primitive). */
    @Override public Var gather(Tensor indices) {
        return unary(value.gather(indices), g -> {
            int rows = shape().dim(0), n = indices.numel();
            Tensor hot = Nn.oneHot(indices, rows, dtype());                    // [n, rows]
            return hot.mT().matmul(g.reshape(n, -1)).reshape(shape().dims());   // [rows, rest]
        });
    }

    // ---------------------------------------------------------------- movement

    @Override public Var reshape(int... dims) {
        return unary(value.reshape(dims), g -> g.reshape(shape().dims()));
    }

    @Override public Var permute(int... axes) {
        int[] inv = new int[axes.length];
        for (int i = 0; i < axes.length; i++) inv[shape().axis(axes[i])] = i;
        return unary(value.permute(axes), g -> g.permute(inv));
    }

    @Override public Var expand(Shape s) { return unary(value.expand(s), g -> unbroadcast(g, shape())); }

    /** The gradient is zeros with {@code dOut} written into the same strided slice. */
    @Override public Var slice(int axis, int start, int end, int step) {
        return unary(value.slice(axis, start, end, step), g -> {
            Tensor z = Tensor.zeros(g.backend(), g.dtype(), shape());
            z.slice(axis, start, end, step).assign(g);
            return z;
        });
    }

    /** The gradient is the un-padded slice of {@code dOut}. */
    @Override public Var pad(int[] before, int[] after) {
        int[] b = before.clone(), d = shape().dims();
        return unary(value.pad(before, after), g -> {
            Tensor s = g;
            for (int i = 0; i < d.length; i++) s = s.slice(i, b[i], b[i] + d[i], 1);
            return s.contiguous();
        });
    }

    /** Each input's gradient is its slice of {@code dOut}. */
    @Override public Var cat(int axis, List<Var> rest) {
        Var[] all = new Var[rest.size() + 1];
        all[0] = this;
        for (int i = 0; i < rest.size(); i++) all[i + 1] = rest.get(i);
        int a = shape().axis(axis);
        Tensor out = value.cat(a, rest.stream().map(Var::value).toList());
        return tape.record(out, g -> {
            Tensor[] gs = new Tensor[all.length];
            int at = 0;
            for (int i = 0; i < all.length; i++) {
                int len = all[i].shape().dim(a);
                if (all[i].requiresGrad) gs[i] = g.slice(a, at, at + len, 1).contiguous();
                at += len;
            }
            return gs;
        }, all);
    }

    @Override public String toString() { return "Var" + shape() + " " + dtype() + (isParam() ? " param" : requiresGrad ? " (grad)" : ""); }

    @Override public int hashCode() { return System.identityHashCode(this); }

    @Override public boolean equals(Object o) { return this == o; }
}
