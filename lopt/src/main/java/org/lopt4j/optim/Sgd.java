package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/** Plain SGD: {@code p ← p − lr·g} (optax {@code sgd} without momentum). [LO] {@code SGD(learning_rate=0.01)}. */
public record Sgd(Schedule lr, NonFinitePolicy policy) implements Optimizer<Sgd.State> {
    public Sgd {
        Hyper.present("sgd", "lr", lr);
        Hyper.present("sgd", "policy", policy);
    }

    /** SGD at a constant learning rate, skipping non-finite steps. */
    public static Sgd of(double lr) { return new Sgd(new Schedule.Constant(lr), NonFinitePolicy.SKIP_AND_COUNT); }

    /** [LO] {@code SGD}: learning rate 0.01. */
    public static Sgd lo() { return of(0.01); }

    /** SGD keeps no buffers, only the chunk table and counters. */
    public record State(FusedOps.Chunks chunks, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of(); }
        @Override public State copy() { return this; }
        @Override public State withCounters(Map<String, Integer> c) { return new State(chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped")); }
    }

    @Override public State init(Slab params) { return new State(FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0); }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().sgd(new FusedOps.SgdArgs(params.flat(), grads.flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), lr.at(s.step(), info.numSteps())));
        return s.applied();
    }

    @Override public String name() { return "sgd"; }
}
