package org.lopt4j.optim.spec;

import org.lopt4j.optim.Lion;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** Lion written with tensor ops, one tensor at a time. */
public record LionSpec(Lion lion) implements Optimizer<Lion.State> {
    @Override public Lion.State init(Slab params) { return lion.init(params); }

    @Override public Lion.State update(Lion.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(lion.policy(), grads)) return s.skip();
        double lr = lion.lr().at(s.step(), info.numSteps()), b1 = lion.beta1(), b2 = lion.beta2();
        for (int i = 0; i < params.layout().count(); i++) {
            Tensor p = params.tensor(i), g = grads.tensor(i), m = s.m().tensor(i);
            Tensor u = m.mul(b1).add(g.mul(1 - b1)).sign().add(p.mul(lion.weightDecay()));
            m.assign(m.mul(b2).add(g.mul(1 - b2)));
            p.assign(p.sub(u.mul(lr)));
        }
        return s.applied();
    }

    @Override public String name() { return "spec-" + lion.name(); }
}
