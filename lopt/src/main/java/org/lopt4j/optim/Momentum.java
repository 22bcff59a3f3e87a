package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/**
 * Heavy-ball momentum and Nesterov (optax {@code sgd(lr, momentum, nesterov)}; PyTorch's SGD with dampening 0 is the
 * same): {@code b ← μ·b + g} (no dampening, b starts at 0); plain {@code p ← p − lr·b}; Nesterov
 * {@code p ← p − lr·(g + μ·b)} with the updated b. [LO] {@code SGDM(learning_rate=0.01, momentum=0.9)}.
 */
public record Momentum(Schedule lr, double momentum, boolean nesterov, NonFinitePolicy policy) implements Optimizer<Momentum.State> {
    public Momentum {
        Hyper.present(name(nesterov), "lr", lr);
        Hyper.present(name(nesterov), "policy", policy);
        Hyper.inRange(name(nesterov), "momentum", momentum, 0, 1);
    }

    /** Heavy-ball momentum μ at a constant learning rate. */
    public static Momentum heavyBall(double lr, double mu) { return new Momentum(new Schedule.Constant(lr), mu, false, NonFinitePolicy.SKIP_AND_COUNT); }

    /** Nesterov momentum μ at a constant learning rate. */
    public static Momentum nesterov(double lr, double mu) { return new Momentum(new Schedule.Constant(lr), mu, true, NonFinitePolicy.SKIP_AND_COUNT); }

    /** [LO] {@code SGDM}: learning rate 0.01, momentum 0.9. */
    public static Momentum lo() { return heavyBall(0.01, 0.9); }

    /** The trace {@code b}, laid out like the parameters. */
    public record State(Slab trace, FusedOps.Chunks chunks, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of("trace", trace); }
        @Override public State copy() { return new State(trace.copy(), chunks, step, skipped); }
        @Override public State withCounters(Map<String, Integer> c) { return new State(trace, chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped")); }
    }

    @Override public State init(Slab params) {
        return new State(params.zerosLike(), FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().momentum(new FusedOps.MomentumArgs(params.flat(), grads.flat(), s.trace().flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                lr.at(s.step(), info.numSteps()), momentum, nesterov ? 1 : 0));
        return s.applied();
    }

    @Override public String name() { return name(nesterov); }

    private static String name(boolean nesterov) { return nesterov ? "nesterov" : "momentum"; }
}
