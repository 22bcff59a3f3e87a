package org.lopt4j.optim.spec;

import java.util.Map;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.Lion;
import org.lopt4j.optim.NAdamW;
import org.lopt4j.optim.RmsProp;
import org.lopt4j.optim.Sgd;
import org.lopt4j.tensor.Tensor;

/**
 * The readable specification of each elementwise optimizer: one tensor at a time, written with tensor ops exactly as
 * base_optimizers.md states it. The fused kernels are tested against these in float64. {@code state} maps buffer
 * names to this tensor's views of the state slabs; {@code t} is the update count after incrementing (1 first).
 */
public final class OptimizerSpecs {
    private OptimizerSpecs() {}

    private static Tensor k(Tensor like, double v) { return like.scalar(v); }

    public static void sgd(Sgd o, Tensor p, Tensor g, Map<String, Tensor> state, double lr) {
        if (o.momentum() == 0) { p.assign(p.sub(g.mul(k(p, lr)))); return; }
        Tensor b = state.get("b");
        b.assign(b.mul(k(b, o.momentum())).add(g));                                   // b ← μ·b + g
        Tensor step = o.nesterov() ? g.add(b.mul(k(b, o.momentum()))) : b;           // Nesterov: g + μ·b
        p.assign(p.sub(step.mul(k(p, lr))));
    }

    public static void adam(Adam o, Tensor p, Tensor g, Map<String, Tensor> state, double lr, int t) {
        Tensor m = state.get("m"), v = state.get("v");
        m.assign(m.mul(k(m, o.beta1())).add(g.mul(k(g, 1 - o.beta1()))));
        v.assign(v.mul(k(v, o.beta2())).add(g.square().mul(k(g, 1 - o.beta2()))));
        Tensor mHat = m.div(k(m, 1 - Math.pow(o.beta1(), t))), vHat = v.div(k(v, 1 - Math.pow(o.beta2(), t)));
        Tensor u = mHat.div(vHat.add(k(v, o.epsRoot())).sqrt().add(k(v, o.eps()))).add(p.mul(k(p, o.weightDecay())));
        p.assign(p.sub(u.mul(k(p, lr))));
    }

    public static void rmsprop(RmsProp o, Tensor p, Tensor g, Map<String, Tensor> state, double lr) {
        Tensor v = state.get("v");
        v.assign(v.mul(k(v, o.decay())).add(g.square().mul(k(g, 1 - o.decay()))));
        Tensor var = v;
        if (o.centered()) {
            Tensor mg = state.get("mg");
            mg.assign(mg.mul(k(mg, o.decay())).add(g.mul(k(g, 1 - o.decay()))));
            var = v.sub(mg.square());
        }
        Tensor u = o.epsInSqrt() ? g.div(var.add(k(v, o.eps())).sqrt()) : g.div(var.sqrt().add(k(v, o.eps())));
        if (o.momentum() != 0) {
            Tensor b = state.get("b");
            b.assign(b.mul(k(b, o.momentum())).add(u));
            u = b;
        }
        p.assign(p.sub(u.mul(k(p, lr))));
    }

    public static void lion(Lion o, Tensor p, Tensor g, Map<String, Tensor> state, double lr) {
        Tensor m = state.get("m");
        Tensor u = m.mul(k(m, o.beta1())).add(g.mul(k(g, 1 - o.beta1()))).sign().add(p.mul(k(p, o.weightDecay())));
        m.assign(m.mul(k(m, o.beta2())).add(g.mul(k(g, 1 - o.beta2()))));
        p.assign(p.sub(u.mul(k(p, lr))));
    }

    public static void nadamw(NAdamW o, Tensor p, Tensor g0, Map<String, Tensor> state, double lr, int t) {
        Tensor g = g0.sub(p.mul(k(p, o.l2WeightDecay())));
        Tensor m = state.get("m"), v = state.get("v");
        m.assign(m.mul(k(m, o.beta1())).add(g.mul(k(g, 1 - o.beta1()))));
        v.assign(v.mul(k(v, o.beta2())).add(g.square().mul(k(g, 1 - o.beta2()))));
        double lrT = lr * Math.sqrt(1 - Math.pow(o.beta2(), t)) / (1 - Math.pow(o.beta1(), t));
        Tensor num = o.nesterov() ? m.mul(k(m, o.beta1())).add(g.mul(k(g, 1 - o.beta1()))) : m;
        Tensor step = num.div(v.sqrt().add(k(v, o.eps()))).mul(k(p, lrT)).add(p.mul(k(p, lrT * o.adamwWeightDecay())));
        p.assign(p.sub(step));
    }
}
