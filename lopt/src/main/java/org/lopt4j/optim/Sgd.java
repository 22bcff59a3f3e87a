package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * SGD, heavy-ball momentum and Nesterov (optax {@code sgd}; identical to PyTorch's with dampening 0):
 * {@code b ← μ·b + g}; plain {@code p ← p − lr·b}; Nesterov {@code p ← p − lr·(g + μ·b)}; μ = 0 is plain SGD.
 */
public record Sgd(Schedule lr, double momentum, boolean nesterov, NonFinitePolicy policy) implements Optimizer {
    public static Sgd plain(double lr) { return new Sgd(new Schedule.Constant(lr), 0, false, NonFinitePolicy.SKIP_AND_COUNT); }

    public static Sgd momentum(double lr, double mu) { return new Sgd(new Schedule.Constant(lr), mu, false, NonFinitePolicy.SKIP_AND_COUNT); }

    public static Sgd nesterov(double lr, double mu) { return new Sgd(new Schedule.Constant(lr), mu, true, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public OptState init(Slab params) {
        return new OptState(0, 0, momentum == 0 ? Map.of() : Map.of("b", params.zerosLike()));
    }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        if (params.dtype() == org.lopt4j.tensor.DType.F32) {
            SimdKernels.sgd(SimdKernels.arr(params), SimdKernels.arr(grads), momentum == 0 ? null : SimdKernels.arr(s.slab("b")),
                    (float) lr.at(s.step(), info.numSteps()), (float) momentum, nesterov);
            return s.applied();
        }
        Buf p = Buf.of(params), g = Buf.of(grads);
        double rate = Fused.c(lr.at(s.step(), info.numSteps()), params), mu = Fused.c(momentum, params);
        if (momentum == 0) {
            Fused.pass(params.layout().size(), (from, to) -> { for (int i = from; i < to; i++) p.set(i, p.get(i) - rate * g.get(i)); });
            return s.applied();
        }
        Buf b = Buf.of(s.slab("b"));
        Fused.pass(params.layout().size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g.get(i), bi = mu * b.get(i) + gi;
                b.set(i, bi);
                p.set(i, p.get(i) - rate * (nesterov ? gi + mu * bi : bi));
            }
        });
        return s.applied();
    }

    @Override public String describe() { return "sgd(lr=" + lr + ", momentum=" + momentum + ", nesterov=" + nesterov + ")"; }
}
