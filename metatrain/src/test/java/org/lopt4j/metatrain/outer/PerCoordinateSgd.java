package org.lopt4j.metatrain.outer;

import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * A test learned optimizer with a closed-form meta-gradient on separable quadratics: θ holds one log learning rate per
 * coordinate of a single-tensor model, {@code x_j ← x_j − exp(θ_j)·g_j} (upstream's LearnableSGD, per coordinate).
 */
record PerCoordinateSgd(int dim, double initLogLr) implements LearnedOptimizer<PerCoordinateSgd.State>, org.lopt4j.learned.DifferentiableUpdate {
    @Override public String name() { return "per_coordinate_sgd"; }

    @Override public SlabLayout thetaLayout() { return SlabLayout.of(List.of("log_lr"), List.of(Shape.of(dim))); }

    @Override public Slab initTheta(RandomKey key, Backend backend) {
        Slab s = Slab.zeros(backend, DType.F32, thetaLayout());
        s.tensor(0).fill(initLogLr);
        return s;
    }

    @Override public List<String> stateBuffers() { return List.of(); }

    @Override public <T extends org.lopt4j.tensor.TensorLike<T>> List<T> update(Map<String, T> theta, T p, T g, List<T> state, int[] steps) {
        return List.of(p.sub(theta.get("log_lr").exp().mul(g)));
    }

    /** No buffers, counters only. */
    record State(int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of(); }
        @Override public State copy() { return this; }
        @Override public State withCounters(Map<String, Integer> c) { return new State(OptState.counter(c, "step"), OptState.counter(c, "skipped")); }
    }

    @Override public Class<State> stateType() { return State.class; }

    @Override public Optimizer<State> optimizer(Slab theta) {
        float[] t = theta.flat().toFloatArray();
        return new Optimizer<>() {
            @Override public State init(Slab params) { return new State(0, 0); }

            @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
                int size = thetaLayout().size(), members = t.length / size, per = params.layout().count() / members;
                for (int m = 0; m < members; m++) {
                    for (int k = 0; k < per; k++) {
                        int ti = m * per + k;
                        float[] p = params.tensor(ti).toFloatArray(), g = grads.tensor(ti).toFloatArray();
                        for (int j = 0; j < p.length; j++) p[j] -= (float) Math.exp(t[m * size + j]) * g[j];
                        params.tensor(ti).assign(org.lopt4j.tensor.Tensor.of(params.backend(), p, p.length));
                    }
                }
                return s.applied();
            }

            @Override public String name() { return "per_coordinate_sgd"; }
        };
    }
}
