package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/**
 * Lion (arXiv 2302.06675, optax {@code lion}): {@code u = sign(β1·m + (1−β1)·g) + wd·p}, {@code m ← β2·m + (1−β2)·g},
 * {@code p ← p − lr·u} (here the decay is scaled by lr).
 */
public record Lion(Schedule lr, double beta1, double beta2, double weightDecay, NonFinitePolicy policy) implements Optimizer<Lion.State> {
    public Lion {
        Hyper.present("lion", "lr", lr);
        Hyper.present("lion", "policy", policy);
        Hyper.inRange("lion", "beta1", beta1, 0, 1);
        Hyper.inRange("lion", "beta2", beta2, 0, 1);
        Hyper.nonNegative("lion", "weight_decay", weightDecay);
    }

    /** optax defaults: β1 0.9, β2 0.99, weight decay 1e-3. */
    public static Lion of(double lr) { return new Lion(new Schedule.Constant(lr), 0.9, 0.99, 1e-3, NonFinitePolicy.SKIP_AND_COUNT); }

    /** The momentum {@code m}, laid out like the parameters. */
    public record State(Slab m, FusedOps.Chunks chunks, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of("m", m); }
        @Override public State copy() { return new State(m.copy(), chunks, step, skipped); }
        @Override public State withCounters(Map<String, Integer> c) { return new State(m, chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped")); }
    }

    @Override public State init(Slab params) { return new State(params.zerosLike(), FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0); }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().lion(new FusedOps.LionArgs(params.flat(), grads.flat(), s.m().flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                lr.at(s.step(), info.numSteps()), beta1, beta2, weightDecay));
        return s.applied();
    }

    @Override public String name() { return "lion"; }
}
