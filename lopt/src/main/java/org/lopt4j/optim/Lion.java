package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.Slab;

/** Lion (optax): {@code u = sign(β1·m + (1−β1)·g) + wd·p}, {@code m ← β2·m + (1−β2)·g}, {@code p ← p − lr·u}. */
public record Lion(Schedule lr, double beta1, double beta2, double weightDecay, NonFinitePolicy policy) implements Optimizer {
    /** optax defaults: b1 0.9, b2 0.99, weight decay 1e-3. */
    public static Lion of(double lr) { return new Lion(new Schedule.Constant(lr), 0.9, 0.99, 1e-3, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public OptState init(Slab params) { return new OptState(0, 0, Map.of("m", params.zerosLike())); }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        if (params.dtype() == org.lopt4j.tensor.DType.F32) {
            SimdKernels.lion(SimdKernels.arr(params), SimdKernels.arr(grads), SimdKernels.arr(s.slab("m")),
                    (float) lr.at(s.step(), info.numSteps()), (float) beta1, (float) beta2, (float) weightDecay);
            return s.applied();
        }
        Buf p = Buf.of(params), g = Buf.of(grads), m = Buf.of(s.slab("m"));
        double b1 = Fused.c(beta1, params), b2 = Fused.c(beta2, params), wd = weightDecay;
        double rate = lr.at(s.step(), info.numSteps());
        Fused.pass(params.layout().size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g.get(i), mi = m.get(i), pi = p.get(i);
                double u = Math.signum(b1 * mi + (1 - b1) * gi) + wd * pi;
                m.set(i, b2 * mi + (1 - b2) * gi);
                p.set(i, pi - rate * u);
            }
        });
        return s.applied();
    }

    @Override public String describe() { return "lion(lr=" + lr + ", b1=" + beta1 + ", b2=" + beta2 + ", wd=" + weightDecay + ")"; }
}
