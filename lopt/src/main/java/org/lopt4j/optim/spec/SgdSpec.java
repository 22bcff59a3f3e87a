package org.lopt4j.optim.spec;

import org.lopt4j.optim.Momentum;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.Sgd;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** SGD written with tensor ops, one tensor of the slab at a time: {@code p ← p − lr·g}. */
public record SgdSpec(Sgd sgd) implements Optimizer<Sgd.State> {
    @Override public Sgd.State init(Slab params) { return sgd.init(params); }

    @Override public Sgd.State update(Sgd.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(sgd.policy(), grads)) return s.skip();
        double lr = sgd.lr().at(s.step(), info.numSteps());
        for (int i = 0; i < params.layout().count(); i++) {
            Tensor p = params.tensor(i), g = grads.tensor(i);
            p.assign(p.sub(g.mul(lr)));
        }
        return s.applied();
    }

    @Override public String name() { return "spec-" + sgd.name(); }

    /** Momentum and Nesterov written with tensor ops. */
    public record MomentumSpec(Momentum mom) implements Optimizer<Momentum.State> {
        @Override public Momentum.State init(Slab params) { return mom.init(params); }

        @Override public Momentum.State update(Momentum.State s, Slab params, Slab grads, StepInfo info) {
            if (!SpecGuard.admit(mom.policy(), grads)) return s.skip();
            double lr = mom.lr().at(s.step(), info.numSteps()), mu = mom.momentum();
            for (int i = 0; i < params.layout().count(); i++) {
                Tensor p = params.tensor(i), g = grads.tensor(i), b = s.trace().tensor(i);
                b.assign(b.mul(mu).add(g));                                   // b ← μ·b + g
                Tensor step = mom.nesterov() ? g.add(b.mul(mu)) : b;           // Nesterov: g + μ·b (updated b)
                p.assign(p.sub(step.mul(lr)));
            }
            return s.applied();
        }

        @Override public String name() { return "spec-" + mom.name(); }
    }
}
