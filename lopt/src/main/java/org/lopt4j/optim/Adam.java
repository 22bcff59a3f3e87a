package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;

/**
 * Adam and AdamW in one fused pass: {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code p ← p − lr·(m̂ / (sqrt(v̂ + eps_root) + eps) + wd·p)} with bias-corrected m̂, v̂ and decoupled weight decay
 * scaled by the learning rate (PyTorch's AdamW and optax's adamw). F32 slabs run a Vector API kernel.
 */
public record Adam(Schedule lr, double beta1, double beta2, double eps, double epsRoot, double weightDecay,
                   NonFinitePolicy policy) implements Optimizer {

    /** learned_optimization's {@code Adam}: eps 1e-8 and eps_root 1e-8 (its reference curves use these). */
    public static Adam lo(double lr) { return new Adam(new Schedule.Constant(lr), 0.9, 0.999, 1e-8, 1e-8, 0, NonFinitePolicy.SKIP_AND_COUNT); }

    /** PyTorch's / optax's plain Adam (eps_root 0). */
    public static Adam plain(double lr) { return new Adam(new Schedule.Constant(lr), 0.9, 0.999, 1e-8, 0, 0, NonFinitePolicy.SKIP_AND_COUNT); }

    /** AdamW with decoupled weight decay (PyTorch defaults: wd 1e-2). */
    public static Adam adamw(double lr, double wd) { return new Adam(new Schedule.Constant(lr), 0.9, 0.999, 1e-8, 0, wd, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public OptState init(Slab params) {
        return new OptState(0, 0, Map.of("m", params.zerosLike(), "v", params.zerosLike()));
    }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        int t = s.step() + 1;
        double b1 = Fused.c(beta1, params), b2 = Fused.c(beta2, params);
        double rate = lr.at(s.step(), info.numSteps());
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        Slab m = s.slab("m"), v = s.slab("v");
        if (params.dtype() == DType.F32) {
            AdamKernel.f32(params, grads, m, v, (float) b1, (float) b2, (float) eps, (float) epsRoot, (float) weightDecay,
                    (float) rate, (float) bc1, (float) bc2);
        } else {
            AdamKernel.generic(Buf.of(params), Buf.of(grads), Buf.of(m), Buf.of(v), params.layout().size(),
                    b1, b2, eps, epsRoot, weightDecay, rate, bc1, bc2);
        }
        return s.applied();
    }

    @Override public String describe() {
        return "adam(lr=" + lr + ", b1=" + beta1 + ", b2=" + beta2 + ", eps=" + eps + ", eps_root=" + epsRoot + ", wd=" + weightDecay + ")";
    }
}
