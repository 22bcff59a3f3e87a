package org.lopt4j.optim.spec;

import org.lopt4j.optim.Adafactor;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** Adafactor written with tensor ops, one tensor at a time, following optax's {@code adafactor} chain. */
public record AdafactorSpec(Adafactor ada) implements Optimizer<Adafactor.State> {
    @Override public Adafactor.State init(Slab params) { return ada.init(params); }

    @Override public Adafactor.State update(Adafactor.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(ada.policy(), grads)) return s.skip();
        double rho = 1 - Math.pow(s.step() - ada.decayOffset() + 1, -ada.decayRate());
        double lr = ada.lr().at(s.step(), info.numSteps());
        for (int i = 0; i < params.layout().count(); i++) {
            Tensor p = params.tensor(i), g = grads.tensor(i);
            Tensor big = g.square().add(ada.eps());                                   // G = g² + eps
            FactoredDims f = ada.factoring(p.shape());
            Tensor u;
            if (f != null) {
                Tensor r = s.vRow().tensor(i), c = s.vCol().tensor(i);
                r.assign(ema(r, big.mean(f.d0()), rho));                              // mean over d0
                c.assign(ema(c, big.mean(f.d1()), rho));                              // mean over d1
                Tensor rowFactor = r.div(r.meanKeep(f.d1InRow())).sqrt().recip();     // (v_row / mean_d1'(v_row))^(-1/2)
                Tensor colFactor = c.sqrt().recip();                                  // v_col^(-1/2)
                u = g.mul(rowFactor.unsqueeze(f.d0())).mul(colFactor.unsqueeze(f.d1()));
            } else {
                Tensor v = s.v().tensor(i);
                v.assign(ema(v, big, rho));
                u = g.mul(v.sqrt().recip());
            }
            if (ada.clippingThreshold() > 0) u = u.div(Math.max(1, rms(u) / ada.clippingThreshold()));
            u = u.mul(lr);
            if (ada.multiplyByParameterScale()) u = u.mul(Math.max(rms(p), 1e-3));
            if (ada.momentum() > 0) {
                Tensor b = s.trace().tensor(i);
                b.assign(b.mul(ada.momentum()).add(u.mul(1 - ada.momentum())));       // EMA without debiasing
                u = b;
            }
            u = u.add(p.mul(ada.weightDecayRate()));                                  // not scaled by lr
            p.assign(p.sub(u));
        }
        return s.applied();
    }

    private static Tensor ema(Tensor old, Tensor x, double rho) { return old.mul(rho).add(x.mul(1 - rho)); }

    /** Root mean square over the whole tensor. */
    static double rms(Tensor t) { return t.numel() == 0 ? 0 : t.square().meanAll().sqrt().item(); }

    @Override public String name() { return "spec-" + ada.name(); }
}
