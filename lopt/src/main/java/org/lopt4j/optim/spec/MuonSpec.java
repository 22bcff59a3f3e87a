package org.lopt4j.optim.spec;

import org.lopt4j.optim.Muon;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Muon in float64, one element at a time: the momentum, Newton–Schulz in double, and AdamW written out for the rest.
 * The momentum buffer runs over every tensor (the fused update forms it over the whole slab); only the matrices' is read.
 */
public record MuonSpec(Muon muon) implements Optimizer<Muon.State> {
    @Override public Muon.State init(Slab params) { return muon.init(params); }

    @Override public Muon.State update(Muon.State s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(muon.policy(), grads)) return s.skip();
        int t = s.step() + 1;
        double lr = muon.lr().at(s.step(), info.numSteps()), mu = muon.momentum();
        var a = muon.others();
        double alr = a.lr().at(s.step(), info.numSteps()), b1 = a.beta1(), b2 = a.beta2();
        SlabLayout l = params.layout();
        for (int i = 0; i < l.count(); i++) {
            double[] p = params.tensor(i).toDoubleArray(), g = grads.tensor(i).toDoubleArray();
            if (l.shape(i).rank() == 2) {
                int in = l.shape(i).dim(0), out = l.shape(i).dim(1);
                double[] b = s.trace().tensor(i).toDoubleArray(), u = new double[p.length];
                for (int j = 0; j < p.length; j++) {
                    b[j] = mu * b[j] + (1 - mu) * g[j];
                    u[j] = muon.nesterov() ? (1 - mu) * g[j] + mu * b[j] : b[j];
                }
                NewtonSchulz.orthogonalize(u, 0, in, out, NewtonSchulz.MUON_EPS);
                double scale = Math.sqrt(Math.max(1, (double) out / in));
                for (int j = 0; j < p.length; j++) p[j] = p[j] * (1 - lr * muon.weightDecay()) - lr * scale * u[j];
                write(s.trace().tensor(i), b);
            } else {
                double[] b = s.trace().tensor(i).toDoubleArray();
                for (int j = 0; j < p.length; j++) b[j] = mu * b[j] + (1 - mu) * g[j];
                write(s.trace().tensor(i), b);
                String name = l.names().get(i);
                double[] m = s.m().tensor(name).toDoubleArray(), v = s.v().tensor(name).toDoubleArray();
                for (int j = 0; j < p.length; j++) {
                    m[j] = b1 * m[j] + (1 - b1) * g[j];
                    v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
                    double mh = m[j] / (1 - Math.pow(b1, t)), vh = v[j] / (1 - Math.pow(b2, t));
                    p[j] -= alr * (mh / (Math.sqrt(vh + a.epsRoot()) + a.eps()) + a.weightDecay() * p[j]);
                }
                write(s.m().tensor(name), m);
                write(s.v().tensor(name), v);
            }
            write(params.tensor(i), p);
        }
        return s.applied();
    }

    private static void write(Tensor into, double[] values) {
        into.assign(Tensor.of(into.backend(), values, into.shape().dims()).to(into.dtype()));
    }

    @Override public String name() { return "spec-muon"; }
}
