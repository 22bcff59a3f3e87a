package org.lopt4j.optim;

import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * learned_optimization's NAdamW as coded: {@code g ← g − l2·p} (its sign), moments, {@code lr_t = lr·sqrt(1−β2^t)/(1−β1^t)},
 * numerator {@code β1·m + (1−β1)·g} with Nesterov, {@code p ← p − lr_t·num/(sqrt(v) + eps) − lr_t·wd·p}.
 */
public record NAdamW(Schedule lr, double beta1, double beta2, double eps, double adamwWeightDecay, double l2WeightDecay,
                     boolean nesterov, NonFinitePolicy policy) implements Optimizer {
    public static NAdamW of(double lr) { return new NAdamW(new Schedule.Constant(lr), 0.9, 0.999, 1e-8, 0, 0, true, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public OptState init(Slab params) {
        return new OptState(0, 0, Map.of("m", params.zerosLike(), "v", params.zerosLike()));
    }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        Buf p = Buf.of(params), g = Buf.of(grads), m = Buf.of(s.slab("m")), v = Buf.of(s.slab("v"));
        int t = s.step() + 1;
        double b1 = Fused.c(beta1, params), b2 = Fused.c(beta2, params);
        double lrT = lr.at(s.step(), info.numSteps()) * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        if (params.dtype() == org.lopt4j.tensor.DType.F32) {
            SimdKernels.nadamw(SimdKernels.arr(params), SimdKernels.arr(grads), SimdKernels.arr(s.slab("m")), SimdKernels.arr(s.slab("v")),
                    (float) lrT, (float) b1, (float) b2, (float) eps, (float) adamwWeightDecay, (float) l2WeightDecay, nesterov);
            return s.applied();
        }
        Fused.pass(params.layout().size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double pi = p.get(i), gi = g.get(i) - l2WeightDecay * pi;
                double mi = b1 * m.get(i) + (1 - b1) * gi, vi = b2 * v.get(i) + (1 - b2) * gi * gi;
                m.set(i, mi);
                v.set(i, vi);
                double num = nesterov ? b1 * mi + (1 - b1) * gi : mi;
                p.set(i, pi - (lrT * num / (Math.sqrt(vi) + eps) + lrT * adamwWeightDecay * pi));
            }
        });
        return s.applied();
    }

    @Override public String describe() {
        return "nadamw(lr=" + lr + ", b1=" + beta1 + ", b2=" + beta2 + ", eps=" + eps + ", adamw_wd=" + adamwWeightDecay + ", l2=" + l2WeightDecay + ", nesterov=" + nesterov + ")";
    }
}
