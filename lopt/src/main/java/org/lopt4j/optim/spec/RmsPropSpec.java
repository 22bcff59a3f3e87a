package org.lopt4j.optim.spec;

import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.RmsProp;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** RMSProp (optax or PyTorch eps placement, centered, momentum) written with tensor ops, one tensor at a time. */
public record RmsPropSpec(RmsProp rms) implements Optimizer<RmsProp.State> {
    @Override public RmsProp.State init(Slab params) { return rms.init(params); }

    @Override public RmsProp.State update(RmsProp.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(rms.policy(), grads)) return s.skip();
        double lr = rms.lr().at(s.step(), info.numSteps()), rho = rms.decay(), mu = rms.momentum();
        for (int i = 0; i < params.layout().count(); i++) {
            Tensor p = params.tensor(i), g = grads.tensor(i), v = s.v().tensor(i);
            v.assign(v.mul(rho).add(g.square().mul(1 - rho)));
            Tensor var = v;
            if (rms.centered()) {
                Tensor mg = s.mg().tensor(i);
                mg.assign(mg.mul(rho).add(g.mul(1 - rho)));
                var = v.sub(mg.square());
            }
            Tensor u = rms.epsInSqrt() ? g.div(var.add(rms.eps()).sqrt()) : g.div(var.sqrt().add(rms.eps()));
            if (mu > 0) {
                Tensor b = s.trace().tensor(i);
                b.assign(b.mul(mu).add(u));
                u = rms.nesterov() ? u.add(b.mul(mu)) : b;
            }
            p.assign(p.sub(u.mul(lr)));
        }
        return s.applied();
    }

    @Override public String name() { return "spec-" + rms.name(); }
}
