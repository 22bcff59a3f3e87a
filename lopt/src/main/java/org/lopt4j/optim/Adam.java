package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/**
 * Adam (optax {@code adam}) with eps_root: {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code p ← p − lr·m̂/(sqrt(v̂ + eps_root) + eps)}, {@code m̂ = m/(1−β1^t)}, {@code v̂ = v/(1−β2^t)}, t = 1 first.
 * <p>Defaults differ by source, so the factories name theirs: {@link #lo} is learned_optimization's {@code Adam}
 * (lr 0.01, β1 0.9, β2 0.999, eps 1e-8, <b>eps_root 1e-8</b>, which its LR-tuned reference curves and outer optimizer
 * use; for |g| ≪ 1e-4 it degrades to SGD with step {@code lr·m̂/1e-4}); {@link #optax} is optax's and PyTorch's
 * (eps_root 0). eps and eps_root may not both be 0 (a zero gradient would give 0/0).
 */
public record Adam(Schedule lr, double beta1, double beta2, double eps, double epsRoot, NonFinitePolicy policy) implements Optimizer<Adam.State> {
    /** [LO] {@code Adam} defaults. */
    public static final double LO_LR = 0.01, LO_EPS = 1e-8, LO_EPS_ROOT = 1e-8;
    /** optax / PyTorch defaults (β2 0.999, eps 1e-8 in both). */
    public static final double BETA1 = 0.9, BETA2 = 0.999;

    public Adam {
        validate("adam", lr, beta1, beta2, eps, epsRoot, policy);
    }

    static void validate(String name, Schedule lr, double beta1, double beta2, double eps, double epsRoot, NonFinitePolicy policy) {
        Hyper.present(name, "lr", lr);
        Hyper.present(name, "policy", policy);
        Hyper.inRange(name, "beta1", beta1, 0, 1);
        Hyper.inRange(name, "beta2", beta2, 0, 1);
        Hyper.nonNegative(name, "eps", eps);
        Hyper.nonNegative(name, "eps_root", epsRoot);
        if (eps == 0 && epsRoot == 0) throw new IllegalArgumentException(name + ": eps and eps_root are both 0");
    }

    /** learned_optimization's {@code Adam(learning_rate=lr)}: eps 1e-8, eps_root 1e-8. */
    public static Adam lo(double lr) { return new Adam(new Schedule.Constant(lr), BETA1, BETA2, LO_EPS, LO_EPS_ROOT, NonFinitePolicy.SKIP_AND_COUNT); }

    /** learned_optimization's {@code Adam()} with its default learning rate 0.01. */
    public static Adam lo() { return lo(LO_LR); }

    /** optax's {@code adam(lr)} and PyTorch's {@code Adam(lr)}: eps 1e-8, eps_root 0. */
    public static Adam optax(double lr) { return new Adam(new Schedule.Constant(lr), BETA1, BETA2, 1e-8, 0, NonFinitePolicy.SKIP_AND_COUNT); }

    /** First and second moments laid out like the parameters (also the state of {@link AdamW} and {@link NAdamW}). */
    public record State(Slab m, Slab v, FusedOps.Chunks chunks, int step, int skipped) implements OptState<State> {
        /** Zero moments for {@code params}. */
        static State zeros(Slab params) {
            return new State(params.zerosLike(), params.zerosLike(), FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0);
        }

        @Override public Map<String, Slab> buffers() { return Map.of("m", m, "v", v); }
        @Override public State copy() { return new State(m.copy(), v.copy(), chunks, step, skipped); }
        @Override public State withCounters(Map<String, Integer> c) { return new State(m, v, chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped")); }
    }

    @Override public State init(Slab params) { return State.zeros(params); }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        return step(s, params, grads, lr.at(s.step(), info.numSteps()), beta1, beta2, eps, epsRoot, 0, policy);
    }

    /** One fused Adam/AdamW step at learning rate {@code rate}. */
    static State step(State s, Slab params, Slab grads, double rate, double beta1, double beta2, double eps, double epsRoot,
                      double weightDecay, NonFinitePolicy policy) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        int t = s.step() + 1;
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().adamw(new FusedOps.AdamwArgs(params.flat(), grads.flat(), s.m().flat(), s.v().flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                rate, beta1, beta2, eps, epsRoot, weightDecay, 1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t)));
        return s.applied();
    }

    @Override public String name() { return "adam"; }
}
