package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/**
 * RMSProp. Default semantics are optax's ({@code epsInSqrt = true}): {@code v ← ρ·v + (1−ρ)·g²} (v starts at 0),
 * {@code u = g/sqrt(v + eps)}; centered also keeps {@code mg ← ρ·mg + (1−ρ)·g} and uses {@code v − mg²}; momentum
 * μ > 0 keeps {@code b ← μ·b + u} and steps by b (Nesterov: by {@code u + μ·b}); {@code p ← p − lr·u}.
 * PyTorch's {@code RMSprop} puts eps <b>outside</b> the sqrt, {@code u = g/(sqrt(v) + eps)}, and defaults to
 * α = 0.99: that is {@link #torch} ({@code epsInSqrt = false}).
 */
public record RmsProp(Schedule lr, double decay, double eps, boolean epsInSqrt, boolean centered, double momentum,
                      boolean nesterov, NonFinitePolicy policy) implements Optimizer<RmsProp.State> {
    public RmsProp {
        Hyper.present("rmsprop", "lr", lr);
        Hyper.present("rmsprop", "policy", policy);
        Hyper.inRange("rmsprop", "decay", decay, 0, 1);
        Hyper.nonNegative("rmsprop", "eps", eps);
        if (eps == 0) throw new IllegalArgumentException("rmsprop: eps must be > 0 (a zero gradient would give 0/0)");
        Hyper.inRange("rmsprop", "momentum", momentum, 0, 1);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("rmsprop: Nesterov needs momentum > 0");
    }

    /** [LO] {@code RMSProp(learning_rate=lr)}: decay 0.9, eps 1e-8 inside the sqrt, no momentum (optax defaults). */
    public static RmsProp lo(double lr) { return new RmsProp(new Schedule.Constant(lr), 0.9, 1e-8, true, false, 0, false, NonFinitePolicy.SKIP_AND_COUNT); }

    /** PyTorch's {@code RMSprop(lr)}: alpha 0.99, eps 1e-8 outside the sqrt. */
    public static RmsProp torch(double lr) { return new RmsProp(new Schedule.Constant(lr), 0.99, 1e-8, false, false, 0, false, NonFinitePolicy.SKIP_AND_COUNT); }

    /** Second moment {@code v}; {@code mg} only when centered and {@code trace} only with momentum (else null). */
    public record State(Slab v, Slab mg, Slab trace, FusedOps.Chunks chunks, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> b = new LinkedHashMap<>();
            b.put("v", v);
            if (mg != null) b.put("mg", mg);
            if (trace != null) b.put("trace", trace);
            return b;
        }

        @Override public State copy() {
            return new State(v.copy(), mg == null ? null : mg.copy(), trace == null ? null : trace.copy(), chunks, step, skipped);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            return new State(v, mg, trace, chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    @Override public State init(Slab params) {
        return new State(params.zerosLike(), centered ? params.zerosLike() : null, momentum > 0 ? params.zerosLike() : null,
                FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().rmsprop(new FusedOps.RmspropArgs(params.flat(), grads.flat(), s.v().flat(),
                s.mg() == null ? null : s.mg().flat(), s.trace() == null ? null : s.trace().flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                lr.at(s.step(), info.numSteps()), decay, eps, epsInSqrt ? 1 : 0, centered ? 1 : 0, momentum, nesterov ? 1 : 0));
        return s.applied();
    }

    @Override public String name() { return "rmsprop"; }
}
