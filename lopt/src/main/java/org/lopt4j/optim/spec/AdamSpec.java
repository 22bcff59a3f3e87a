package org.lopt4j.optim.spec;

import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** Adam written with tensor ops, one tensor of the slab at a time, as base_optimizers.md states it. */
public record AdamSpec(Adam adam) implements Optimizer<Adam.State> {
    @Override public Adam.State init(Slab params) { return adam.init(params); }

    @Override public Adam.State update(Adam.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(adam.policy(), grads)) return s.skip();
        double lr = adam.lr().at(s.step(), info.numSteps());
        for (int i = 0; i < params.layout().count(); i++) {
            step(params.tensor(i), grads.tensor(i), s.m().tensor(i), s.v().tensor(i), s.step() + 1, lr,
                    adam.beta1(), adam.beta2(), adam.eps(), adam.epsRoot(), 0);
        }
        return s.applied();
    }

    /**
     * One tensor, optax's form: {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
     * {@code u = m̂/(sqrt(v̂ + eps_root) + eps) + wd·p_old}, {@code p ← p − lr·u}.
     */
    static void step(Tensor p, Tensor g, Tensor m, Tensor v, int t, double lr, double b1, double b2, double eps,
                     double epsRoot, double wd) {
        m.assign(m.mul(b1).add(g.mul(1 - b1)));
        v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
        Tensor mHat = m.div(1 - Math.pow(b1, t)), vHat = v.div(1 - Math.pow(b2, t));
        Tensor u = mHat.div(vHat.add(epsRoot).sqrt().add(eps)).add(p.mul(wd));
        p.assign(p.sub(u.mul(lr)));
    }

    @Override public String name() { return "spec-" + adam.name(); }

    /** AdamW: the same step with decoupled weight decay scaled by the learning rate. */
    public record AdamWSpec(AdamW adamw) implements Optimizer<Adam.State> {
        @Override public Adam.State init(Slab params) { return adamw.init(params); }

        @Override public Adam.State update(Adam.State s, Slab params, Slab grads, StepInfo info) {
            if (!SpecGuard.admit(adamw.policy(), grads)) return s.skip();
            double lr = adamw.lr().at(s.step(), info.numSteps());
            for (int i = 0; i < params.layout().count(); i++) {
                step(params.tensor(i), grads.tensor(i), s.m().tensor(i), s.v().tensor(i), s.step() + 1, lr,
                        adamw.beta1(), adamw.beta2(), adamw.eps(), adamw.epsRoot(), adamw.weightDecay());
            }
            return s.applied();
        }

        @Override public String name() { return "spec-" + adamw.name(); }
    }
}
