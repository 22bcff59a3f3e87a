package org.lopt4j.optim;

import org.lopt4j.tensor.Slab;

/**
 * AdamW: Adam with decoupled weight decay scaled by the learning rate, {@code p ← p − lr·(m̂/(sqrt(v̂ + eps_root) + eps)
 * + wd·p)} (optax {@code adamw}; PyTorch's {@code p·(1 − lr·wd)} then Adam is the same function). Defaults: [LO]
 * {@code AdamW(lr, eps_root=0, weight_decay=1e-4)} ({@link #lo}); PyTorch's wd is 1e-2 ({@link #torch}).
 */
public record AdamW(Schedule lr, double beta1, double beta2, double eps, double epsRoot, double weightDecay,
                    NonFinitePolicy policy) implements Optimizer<Adam.State> {
    /** [LO] and optax default weight decay. */
    public static final double LO_WEIGHT_DECAY = 1e-4;
    /** PyTorch's default weight decay. */
    public static final double TORCH_WEIGHT_DECAY = 1e-2;

    public AdamW {
        Adam.validate("adamw", lr, beta1, beta2, eps, epsRoot, policy);
        Hyper.nonNegative("adamw", "weight_decay", weightDecay);
    }

    /** AdamW at a constant learning rate with weight decay {@code wd}, eps 1e-8, eps_root 0. */
    public static AdamW of(double lr, double wd) {
        return new AdamW(new Schedule.Constant(lr), Adam.BETA1, Adam.BETA2, 1e-8, 0, wd, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /** learned_optimization's {@code AdamW(lr)}: weight decay 1e-4, eps_root 0. */
    public static AdamW lo(double lr) { return of(lr, LO_WEIGHT_DECAY); }

    /** PyTorch's {@code AdamW(lr)}: weight decay 1e-2. */
    public static AdamW torch(double lr) { return of(lr, TORCH_WEIGHT_DECAY); }

    @Override public Adam.State init(Slab params) { return Adam.State.zeros(params); }

    @Override public Adam.State update(Adam.State s, Slab params, Slab grads, StepInfo info) {
        return Adam.step(s, params, grads, lr.at(s.step(), info.numSteps()), beta1, beta2, eps, epsRoot, weightDecay, policy);
    }

    @Override public String name() { return "adamw"; }
}
