package org.lopt4j.optim;

import java.util.HashMap;
import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * RMSProp, optax semantics by default: {@code v ← ρ·v + (1−ρ)·g²}, {@code u = g / sqrt(v + eps)} (eps inside the
 * sqrt); {@code epsInSqrt = false} gives PyTorch's {@code g / (sqrt(v) + eps)}; centered subtracts the squared mean;
 * momentum μ keeps {@code b ← μ·b + u} and steps by b.
 */
public record RmsProp(Schedule lr, double decay, double eps, boolean epsInSqrt, boolean centered, double momentum,
                      NonFinitePolicy policy) implements Optimizer {
    /** [LO] {@code RMSProp}: decay 0.9, eps 1e-8, eps inside the sqrt, no momentum. */
    public static RmsProp lo(double lr) { return new RmsProp(new Schedule.Constant(lr), 0.9, 1e-8, true, false, 0, NonFinitePolicy.SKIP_AND_COUNT); }

    /** PyTorch's {@code RMSprop} defaults: alpha 0.99, eps 1e-8 outside the sqrt. */
    public static RmsProp torch(double lr) { return new RmsProp(new Schedule.Constant(lr), 0.99, 1e-8, false, false, 0, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public OptState init(Slab params) {
        Map<String, Slab> s = new HashMap<>();
        s.put("v", params.zerosLike());
        if (centered) s.put("mg", params.zerosLike());
        if (momentum != 0) s.put("b", params.zerosLike());
        return new OptState(0, 0, s);
    }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        if (params.dtype() == org.lopt4j.tensor.DType.F32 && !centered && momentum == 0) {
            SimdKernels.rmsprop(SimdKernels.arr(params), SimdKernels.arr(grads), SimdKernels.arr(s.slab("v")),
                    (float) lr.at(s.step(), info.numSteps()), (float) decay, (float) eps, epsInSqrt);
            return s.applied();
        }
        Buf p = Buf.of(params), g = Buf.of(grads), v = Buf.of(s.slab("v"));
        Buf mg = centered ? Buf.of(s.slab("mg")) : null, b = momentum != 0 ? Buf.of(s.slab("b")) : null;
        double rho = Fused.c(decay, params), orho = 1 - rho, mu = Fused.c(momentum, params);
        double rate = lr.at(s.step(), info.numSteps());
        Fused.pass(params.layout().size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g.get(i), vi = rho * v.get(i) + orho * gi * gi;
                v.set(i, vi);
                double var = vi;
                if (mg != null) {
                    double mi = rho * mg.get(i) + orho * gi;
                    mg.set(i, mi);
                    var = vi - mi * mi;
                }
                double u = epsInSqrt ? gi / Math.sqrt(var + eps) : gi / (Math.sqrt(var) + eps);
                if (b != null) {
                    u = mu * b.get(i) + u;
                    b.set(i, u);
                }
                p.set(i, p.get(i) - rate * u);
            }
        });
        return s.applied();
    }

    @Override public String describe() {
        return "rmsprop(lr=" + lr + ", decay=" + decay + ", eps=" + eps + ", eps_in_sqrt=" + epsInSqrt + ", centered=" + centered + ", momentum=" + momentum + ")";
    }
}
