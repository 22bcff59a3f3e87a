package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Tensor;

/**
 * A Wengert list: every differentiable operation appends one node (its output, its inputs and the backward
 * function). Nodes are appended after their inputs, so the list is already a topological order and
 * {@link #backward} walks it in reverse with a plain loop: no recursion, no sort, deterministic accumulation order.
 */
public final class Tape implements AutoCloseable {
    /** Gradient of one node's output → gradients of its inputs (null where an input gets none). */
    @FunctionalInterface
    public interface Backward { Tensor[] apply(Tensor grad); }

    record Node(Var out, Var[] inputs, Backward backward) {}

    private final List<Node> nodes = new ArrayList<>();
    private int noGradDepth;

    /** A variable whose gradient is wanted. */
    public Var param(Tensor t) { return new Var(this, t, true); }

    /** A variable no gradient flows into. */
    public Var constant(Tensor t) { return new Var(this, t, false); }

    /** Number of recorded nodes. */
    public int size() { return nodes.size(); }

    boolean recording() { return noGradDepth == 0; }

    /** Records an op whose output needs a gradient when any input does; otherwise returns a constant. */
    Var record(Tensor value, Backward backward, Var... inputs) {
        boolean needs = false;
        for (Var v : inputs) needs |= v.requiresGrad();
        if (!needs || !recording()) return constant(value);
        Var out = new Var(this, value, true);
        nodes.add(new Node(out, inputs, backward));
        return out;
    }

    /** A scope in which nothing is recorded: {@code try (var s = tape.noGrad()) { ... }}. */
    public AutoCloseable noGrad() {
        noGradDepth++;
        return () -> noGradDepth--;
    }

    /** Gradients of the scalar {@code loss} with respect to every variable that leads to it. */
    public Grads backward(Var loss) {
        if (loss.tape() != this) throw new IllegalArgumentException("loss belongs to another tape");
        if (loss.shape().numel() != 1) throw new IllegalArgumentException("backward needs a one-element loss, got " + loss.shape());
        Map<Var, Tensor> g = new IdentityHashMap<>();
        g.put(loss, Tensor.full(loss.value().backend(), loss.dtype(), loss.shape(), 1));
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Tensor go = g.get(n.out);
            if (go == null) continue;
            Tensor[] gi = n.backward.apply(go);
            for (int k = 0; k < n.inputs.length; k++) {
                Var in = n.inputs[k];
                if (gi[k] == null || !in.requiresGrad()) continue;
                if (!gi[k].shape().equals(in.shape())) {
                    throw new IllegalStateException("gradient shape " + gi[k].shape() + " != input shape " + in.shape());
                }
                g.merge(in, gi[k], Tensor::add); // fan-out: +=
            }
        }
        return new Grads(g);
    }

    /** Drops the recorded nodes. */
    @Override public void close() { nodes.clear(); }
}
