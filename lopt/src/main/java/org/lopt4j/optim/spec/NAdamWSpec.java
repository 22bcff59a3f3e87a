package org.lopt4j.optim.spec;

import org.lopt4j.optim.Adam;
import org.lopt4j.optim.NAdamW;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** learned_optimization's NAdamW written with tensor ops, one tensor at a time, as coded in nadamw.py. */
public record NAdamWSpec(NAdamW nadamw) implements Optimizer<Adam.State> {
    @Override public Adam.State init(Slab params) { return nadamw.init(params); }

    @Override public Adam.State update(Adam.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(nadamw.policy(), grads)) return s.skip();
        int t = s.step() + 1;
        double b1 = nadamw.beta1(), b2 = nadamw.beta2();
        double lrT = nadamw.lr().at(s.step(), info.numSteps()) * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        for (int i = 0; i < params.layout().count(); i++) {
            Tensor p = params.tensor(i), m = s.m().tensor(i), v = s.v().tensor(i);
            Tensor g = grads.tensor(i).sub(p.mul(nadamw.l2WeightDecay()));              // sic: minus, as coded
            m.assign(m.mul(b1).add(g.mul(1 - b1)));
            v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
            Tensor num = nadamw.nesterov() ? m.mul(b1).add(g.mul(1 - b1)) : m;
            Tensor step = num.div(v.sqrt().add(nadamw.eps())).mul(lrT).add(p.mul(lrT * nadamw.adamwWeightDecay()));
            p.assign(p.sub(step));
        }
        return s.applied();
    }

    @Override public String name() { return "spec-" + nadamw.name(); }
}
