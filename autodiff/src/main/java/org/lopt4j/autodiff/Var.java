package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.TensorLike;

/**
 * A tensor on a {@link Tape}. Each differentiable primitive is written once, here: the forward on tensors and, beside
 * it, the backward that maps the output's gradient to the inputs'. Composites ({@link Nn}) get gradients for free.
 */
public final class Var implements TensorLike<Var> {
    private final Tape tape;
    private final Tensor value;
    private final boolean requiresGrad;

    Var(Tape tape, Tensor value, boolean requiresGrad) {
        this.tape = tape;
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    public Tape tape() { return tape; }
    public boolean requiresGrad() { return requiresGrad; }
    @Override public Tensor value() { return value; }
    @Override public Shape shape() { return value.shape(); }
    @Override public DType dtype() { return value.dtype(); }
    @Override public Var constant(Tensor t) { return tape.constant(t); }
    @Override public Var detach() { return tape.constant(value); }

    private void check(Var o) {
        if (o.tape != tape) throw new IllegalArgumentException("variables on different tapes");
    }

    /** Sums {@code g} down to {@code s} over broadcast axes (the adjoint of broadcasting). */
    static Tensor unbroadcast(Tensor g, Shape s) {
        if (g.shape().equals(s)) return g;
        int lead = g.rank() - s.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (s.dims()[i - lead] == 1 && g.shape().dims()[i] != 1)) axes.add(i);
        }
        Tensor r = g.sumKeep(axes.stream().mapToInt(Integer::intValue).toArray());
        return r.reshape(s.dims());
    }

    // ---------------------------------------------------------------- binary (broadcasting)

    @Override public Var add(Var o) {
        check(o);
        return tape.record(value.add(o.value), g -> new Tensor[] {unbroadcast(g, shape()), unbroadcast(g, o.shape())}, this, o);
    }

    @Override public Var sub(Var o) {
        check(o);
        return tape.record(value.sub(o.value), g -> new Tensor[] {unbroadcast(g, shape()), unbroadcast(g.neg(), o.shape())}, this, o);
    }

    @Override public Var mul(Var o) {
        check(o);
        return tape.record(value.mul(o.value),
                g -> new Tensor[] {unbroadcast(g.mul(o.value), shape()), unbroadcast(g.mul(value), o.shape())}, this, o);
    }

    @Override public Var div(Var o) {
        check(o);
        Tensor y = value.div(o.value);
        return tape.record(y, g -> new Tensor[] {unbroadcast(g.div(o.value), shape()),
                unbroadcast(g.mul(y).div(o.value).neg(), o.shape())}, this, o);
    }

    /** Ties send the whole gradient to {@code this}. */
    @Override public Var maximum(Var o) {
        check(o);
        Tensor toThis = value.lt(o.value).neg().add(value.scalar(1)); // this >= o
        return tape.record(value.maximum(o.value), g -> new Tensor[] {unbroadcast(g.mul(toThis), shape()),
                unbroadcast(g.mul(value.lt(o.value)), o.shape())}, this, o);
    }

    /** Ties send the whole gradient to {@code this}. */
    @Override public Var minimum(Var o) {
        check(o);
        Tensor toThis = o.value.lt(value).neg().add(value.scalar(1)); // this <= o
        return tape.record(value.minimum(o.value), g -> new Tensor[] {unbroadcast(g.mul(toThis), shape()),
                unbroadcast(g.mul(o.value.lt(value)), o.shape())}, this, o);
    }

    @Override public Var lt(Var o) { check(o); return tape.constant(value.lt(o.value)); }
    @Override public Var eq(Var o) { check(o); return tape.constant(value.eq(o.value)); }

    // ---------------------------------------------------------------- unary

    @Override public Var neg() { return tape.record(value.neg(), g -> new Tensor[] {g.neg()}, this); }

    @Override public Var recip() {
        Tensor y = value.recip();
        return tape.record(y, g -> new Tensor[] {g.mul(y).mul(y).neg()}, this);
    }

    @Override public Var exp() {
        Tensor y = value.exp();
        return tape.record(y, g -> new Tensor[] {g.mul(y)}, this);
    }

    @Override public Var log() { return tape.record(value.log(), g -> new Tensor[] {g.div(value)}, this); }

    @Override public Var sqrt() {
        Tensor y = value.sqrt();
        return tape.record(y, g -> new Tensor[] {g.div(y).mul(value.scalar(0.5))}, this);
    }

    @Override public Var tanh() {
        Tensor y = value.tanh();
        return tape.record(y, g -> new Tensor[] {g.mul(y.mul(y).neg().add(y.scalar(1)))}, this);
    }

    @Override public Var abs() { return tape.record(value.abs(), g -> new Tensor[] {g.mul(value.sign())}, this); }

    /** Zero gradient almost everywhere: a constant. */
    @Override public Var sign() { return tape.constant(value.sign()); }

    /** No gradient flows into the condition. */
    @Override public Var where(Var a, Var b) {
        check(a);
        check(b);
        Tensor out = value.where(a.value, b.value);
        return tape.record(out, g -> {
            Tensor z = Tensor.zeros(g.backend(), g.dtype(), Shape.SCALAR);
            return new Tensor[] {null, unbroadcast(value.where(g, z), a.shape()), unbroadcast(value.where(z, g), b.shape())};
        }, this, a, b);
    }

    // ---------------------------------------------------------------- reductions, matmul, gather

    @Override public Var sumKeep(int... axes) {
        return tape.record(value.sumKeep(axes), g -> new Tensor[] {g.expand(shape()).contiguous()}, this);
    }

    /** Ties share the gradient equally. */
    @Override public Var maxKeep(int... axes) {
        Tensor m = value.maxKeep(axes);
        return tape.record(m, g -> {
            Tensor hit = value.eq(m);
            return new Tensor[] {hit.div(hit.sumKeep(axes)).mul(g)};
        }, this);
    }

    @Override public Var matmul(Var o) {
        check(o);
        return tape.record(value.matmul(o.value), g -> new Tensor[] {
                unbroadcast(g.matmul(o.value.mT()), shape()), unbroadcast(value.mT().matmul(g), o.shape())}, this, o);
    }

    /** The gradient scatters back with a one-hot matrix product (there is no scatter primitive). */
    @Override public Var gather(Tensor indices) {
        return tape.record(value.gather(indices), g -> {
            int rows = shape().dim(0), n = indices.numel();
            Tensor hot = Nn.oneHot(indices, rows, dtype());                    // [n, rows]
            Tensor flat = g.reshape(n, -1);                                     // [n, rest]
            return new Tensor[] {hot.mT().matmul(flat).reshape(shape().dims())};
        }, this);
    }

    // ---------------------------------------------------------------- movement

    @Override public Var reshape(int... dims) {
        return tape.record(value.reshape(dims), g -> new Tensor[] {g.reshape(shape().dims())}, this);
    }

    @Override public Var permute(int... axes) {
        int[] inv = new int[axes.length];
        for (int i = 0; i < axes.length; i++) inv[shape().axis(axes[i])] = i;
        return tape.record(value.permute(axes), g -> new Tensor[] {g.permute(inv)}, this);
    }

    @Override public Var expand(Shape s) {
        return tape.record(value.expand(s), g -> new Tensor[] {unbroadcast(g, shape())}, this);
    }

    @Override public Var slice(int axis, int start, int end, int step) {
        return tape.record(value.slice(axis, start, end, step), g -> {
            Tensor z = Tensor.zeros(g.backend(), g.dtype(), shape());
            z.slice(axis, start, end, step).assign(g);
            return new Tensor[] {z};
        }, this);
    }

    @Override public Var pad(int[] before, int[] after) {
        int[] b = before.clone(), d = shape().dims();
        return tape.record(value.pad(before, after), g -> {
            Tensor s = g;
            for (int i = 0; i < d.length; i++) s = s.slice(i, b[i], b[i] + d[i], 1);
            return new Tensor[] {s.contiguous()};
        }, this);
    }

    @Override public Var cat(int axis, List<Var> rest) {
        Var[] all = new Var[rest.size() + 1];
        all[0] = this;
        for (int i = 0; i < rest.size(); i++) { check(rest.get(i)); all[i + 1] = rest.get(i); }
        int a = shape().axis(axis);
        Tensor out = value.cat(a, rest.stream().map(Var::value).toList());
        return tape.record(out, g -> {
            Tensor[] gs = new Tensor[all.length];
            int at = 0;
            for (int i = 0; i < all.length; i++) {
                int len = all[i].shape().dim(a);
                gs[i] = g.slice(a, at, at + len, 1).contiguous();
                at += len;
            }
            return gs;
        }, all);
    }

    @Override public String toString() { return "Var" + shape() + (requiresGrad ? " (grad)" : ""); }

    @Override public int hashCode() { return System.identityHashCode(this); }

    @Override public boolean equals(Object o) { return this == o; }
}
