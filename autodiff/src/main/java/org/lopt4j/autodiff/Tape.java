package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Records differentiable operations as a Wengert list: every operation appends one node (its output, its inputs in a
 * list, its backward function) after the nodes of its inputs, so the list is already a topological order.
 * {@link #backward} walks it in reverse with a plain loop: no recursion (a chain of any length is fine), no sort, and
 * a fixed accumulation order, so gradients are bit-for-bit reproducible. Not thread-safe: one tape per thread.
 */
public final class Tape implements AutoCloseable {
    /** Gradient of one node's output → gradients of its inputs, in input order (null where an input gets none). */
    @FunctionalInterface
    interface Backward { Tensor[] apply(Tensor grad); }

    private record Node(Var out, List<Var> inputs, Backward backward) {}

    private final List<Node> nodes = new ArrayList<>();
    private final List<Var> params = new ArrayList<>();
    private int noGradDepth;

    /** A leaf variable whose gradient {@link #backward} returns. */
    public Var param(Tensor t) {
        Var v = new Var(this, t, true, true);
        params.add(v);
        return v;
    }

    /** A variable no gradient flows into. */
    public Var constant(Tensor t) { return new Var(this, t, false, true); }

    /** Number of recorded operations. */
    public int size() { return nodes.size(); }

    /** The parameters created on this tape, in creation order. */
    List<Var> params() { return params; }

    /**
     * Appends an operation whose output needs a gradient when any input does; otherwise (or inside a
     * {@link #noGrad()} scope) returns a constant and records nothing.
     */
    Var record(Tensor value, Backward backward, Var... inputs) {
        boolean needs = false;
        for (Var v : inputs) {
            if (v.tape() != this) throw new IllegalArgumentException("variable " + v + " belongs to another tape");
            needs |= v.requiresGrad();
        }
        if (!needs || noGradDepth > 0) return constant(value);
        Var out = new Var(this, value, true, false);
        nodes.add(new Node(out, List.of(inputs), backward));
        return out;
    }

    /** A scope in which operations record nothing and return constants; scopes nest. */
    public final class NoGrad implements AutoCloseable {
        private boolean open = true;

        private NoGrad() { noGradDepth++; }

        /** Ends the scope (a second call does nothing). */
        @Override public void close() {
            if (open) {
                open = false;
                noGradDepth--;
            }
        }
    }

    /** Opens a no-gradient scope: {@code try (var ng = tape.noGrad()) { ... }}. */
    public NoGrad noGrad() { return new NoGrad(); }

    /** Whether operations are being recorded (no {@link #noGrad()} scope is open). */
    public boolean recording() { return noGradDepth == 0; }

    /**
     * Gradients of the one-element {@code loss} with respect to every {@link #param parameter} of this tape. Gradients
     * of intermediate variables are freed as soon as they have been pushed to their inputs; fan-out adds up.
     */
    public Grads backward(Var loss) {
        if (loss.tape() != this) throw new IllegalArgumentException("loss " + loss + " belongs to another tape");
        if (loss.shape().numel() != 1) throw new IllegalArgumentException("backward needs a one-element loss, got " + loss.shape());
        Map<Var, Tensor> g = new IdentityHashMap<>();
        Set<Var> owned = Collections.newSetFromMap(new IdentityHashMap<>()); // sums this loop allocated: add in place
        if (loss.requiresGrad()) g.put(loss, Tensor.full(loss.value().backend(), loss.dtype(), loss.shape(), 1));
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Tensor go = g.remove(n.out);
            if (go == null) continue;
            owned.remove(n.out);
            Tensor[] gi = n.backward.apply(go);
            for (int k = 0; k < gi.length; k++) {
                Var in = n.inputs.get(k);
                if (gi[k] == null || !in.requiresGrad()) continue;
                if (!gi[k].shape().equals(in.shape())) {
                    throw new IllegalStateException("backward of node " + i + " gave gradient " + gi[k].shape()
                            + " for input " + k + " of shape " + in.shape());
                }
                Tensor sum = g.get(in);                          // fan-out: +=, in this fixed order
                if (sum == null) {
                    g.put(in, gi[k]);                            // may be shared with other gradients: no writes
                } else if (owned.contains(in)) {
                    sum.applyInPlace(Op.Binary.ADD, gi[k]);
                } else {
                    g.put(in, sum.add(gi[k]));
                    owned.add(in);
                }
            }
        }
        return new Grads(g, params);
    }

    /** Drops the recorded operations and parameters. */
    @Override public void close() {
        nodes.clear();
        params.clear();
    }
}
