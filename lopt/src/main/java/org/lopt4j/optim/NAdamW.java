package org.lopt4j.optim;

import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;

/**
 * learned_optimization's NAdamW ({@code optimizers/nadamw.py}, the baseline of arXiv 2002.11887) as coded:
 * {@code g ← g − l2·p} (the code subtracts: the sign is opposite to the usual L2 term), Adam moments,
 * {@code lr_t = lr·sqrt(1−β2^t)/(1−β1^t)}, numerator {@code β1·m + (1−β1)·g} with Nesterov (else m),
 * {@code p ← p − (lr_t·num/(sqrt(v) + eps) + lr_t·adamw_wd·p)}: eps on the uncorrected sqrt(v), decay scaled by lr_t.
 * The schedule sees the update index and the planned number of steps ({@link StepInfo#numSteps()}).
 */
public record NAdamW(Schedule lr, double beta1, double beta2, double eps, double adamwWeightDecay, double l2WeightDecay,
                     boolean nesterov, NonFinitePolicy policy) implements Optimizer<Adam.State> {
    public NAdamW {
        Adam.validate("nadamw", lr, beta1, beta2, eps, 0, policy);
        if (eps == 0) throw new IllegalArgumentException("nadamw: eps must be > 0");
        Hyper.nonNegative("nadamw", "adamw_weight_decay", adamwWeightDecay);
        if (!Double.isFinite(l2WeightDecay)) throw new IllegalArgumentException("nadamw: l2_weight_decay must be finite");
    }

    /** [LO] defaults: β1 0.9, β2 0.999, eps 1e-8, no weight decay, Nesterov on. */
    public static NAdamW of(double lr) { return new NAdamW(new Schedule.Constant(lr), 0.9, 0.999, 1e-8, 0, 0, true, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public Adam.State init(Slab params) { return Adam.State.zeros(params); }

    @Override public Adam.State update(Adam.State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.chunks())) return s.skip();
        int t = s.step() + 1;
        double lrT = lr.at(s.step(), info.numSteps()) * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        FusedOps.Chunks c = s.chunks();
        params.backend().fused().nadamw(new FusedOps.NadamwArgs(params.flat(), grads.flat(), s.m().flat(), s.v().flat(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                lrT, beta1, beta2, eps, adamwWeightDecay, l2WeightDecay, nesterov ? 1 : 0));
        return s.applied();
    }

    @Override public String name() { return "nadamw"; }
}
