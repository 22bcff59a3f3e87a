package org.lopt4j.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Muon (torch 2.9's {@code torch.optim.Muon}, Keller Jordan's original; optax {@code contrib.muon}): for every 2-D
 * parameter, momentum {@code b ← μ·b + (1 − μ)·g}, the update {@code (1 − μ)·g + μ·b} (Nesterov) or {@code b},
 * orthogonalized by 5 Newton–Schulz iterations (eps 1e-7), then {@code p ← p·(1 − lr·wd) − lr·s·O} with
 * {@code s = sqrt(max(1, fan_out/fan_in))} (torch's "original" lr adjustment on its {@code [out, in]} weights; lopt4j's
 * are {@code [in, out]}); every other parameter (biases, LayerNorms, conv kernels) gets AdamW, as Muon's users pair it.
 * The AdamW part is one fused launch over a slab of the non-matrix tensors.
 */
public record Muon(Schedule lr, double momentum, boolean nesterov, double weightDecay, AdamW others, NonFinitePolicy policy)
        implements Optimizer<Muon.State> {
    public Muon {
        Hyper.present("muon", "lr", lr);
        Hyper.present("muon", "policy", policy);
        Hyper.present("muon", "others", others);
        Hyper.inRange("muon", "momentum", momentum, 0, 1);
        Hyper.nonNegative("muon", "weight_decay", weightDecay);
    }

    /** torch's defaults (momentum 0.95, Nesterov, weight decay 0.1) at {@code lr}, with AdamW(lr, wd 0.1) for the rest. */
    public static Muon of(double lr) { return new Muon(new Schedule.Constant(lr), 0.95, true, 0.1, AdamW.of(lr, 0.1), NonFinitePolicy.SKIP_AND_COUNT); }

    /**
     * Momentum for the matrices (laid out like the parameters), Adam's moments for the other tensors (laid out as a
     * slab of those tensors alone), the others' parameters and gradients gathered each step into two slabs of that
     * layout (scratch, allocated once), and the chunk tables of the whole slab and of the others' slab.
     */
    public record State(Slab trace, Slab m, Slab v, Slab otherParams, Slab otherGrads, FusedOps.Chunks all, FusedOps.Chunks others,
                        int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of("trace", trace, "m", m, "v", v); }
        @Override public State copy() { return new State(trace.copy(), m.copy(), v.copy(), otherParams.zerosLike(), otherGrads.zerosLike(), all, others, step, skipped); }
        @Override public State withCounters(Map<String, Integer> c) {
            return new State(trace, m, v, otherParams, otherGrads, all, others, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    /** Whether tensor {@code i} of {@code layout} is one Muon orthogonalizes. */
    public static boolean isMatrix(SlabLayout layout, int i) { return layout.shape(i).rank() == 2; }

    /** The layout of the tensors AdamW updates: every one that is not a matrix, in slab order. */
    public static SlabLayout others(SlabLayout l) {
        List<String> names = new ArrayList<>();
        List<org.lopt4j.tensor.Shape> shapes = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            if (isMatrix(l, i)) continue;
            names.add(l.names().get(i));
            shapes.add(l.shape(i));
        }
        return SlabLayout.of(names, shapes);
    }

    @Override public State init(Slab params) {
        SlabLayout l = params.layout(), o = others(l);
        Backend b = params.backend();
        return new State(params.zerosLike(), Slab.zeros(b, params.dtype(), o), Slab.zeros(b, params.dtype(), o), Slab.zeros(b, params.dtype(), o),
                Slab.zeros(b, params.dtype(), o), FusedOps.Chunks.of(l, b), FusedOps.Chunks.of(o, b), 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.all())) return s.skip();
        int t = s.step() + 1;
        double rate = lr.at(s.step(), info.numSteps());
        SlabLayout l = params.layout(), o = s.m().layout();
        if (o.count() > 0) {                               // AdamW in one fused launch over the others, gathered into a slab
            Slab op = s.otherParams(), og = s.otherGrads();
            for (int j = 0; j < o.count(); j++) {
                op.tensor(j).assign(params.tensor(o.names().get(j)));
                og.tensor(j).assign(grads.tensor(o.names().get(j)));
            }
            FusedOps.Chunks c = s.others();
            double b1 = others.beta1(), b2 = others.beta2();
            params.backend().fused().adamw(new FusedOps.AdamwArgs(op.flat(), og.flat(), s.m().flat(), s.v().flat(),
                    c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), others.lr().at(s.step(), info.numSteps()), b1, b2,
                    others.eps(), others.epsRoot(), others.weightDecay(), 1 - Math.pow(b1, t), 1 - Math.pow(b2, t)));
            for (int j = 0; j < o.count(); j++) params.tensor(o.names().get(j)).assign(op.tensor(j));
        }
        for (int i = 0; i < l.count(); i++) {
            if (!isMatrix(l, i)) continue;
            Tensor g = grads.tensor(i), b = s.trace().tensor(i), p = params.tensor(i);
            b.assign(b.mul(momentum).add(g.mul(1 - momentum)));
            Tensor u = orthogonalize(nesterov ? g.mul(1 - momentum).add(b.mul(momentum)) : b);
            p.assign(p.mul(1 - rate * weightDecay).sub(u.mul(rate * scale(l.shape(i).dim(0), l.shape(i).dim(1)))));
        }
        return s.applied();
    }

    /** torch's "original" lr adjustment of an {@code [in, out]} weight: {@code sqrt(max(1, out/in))}. */
    public static double scale(int in, int out) { return Math.sqrt(Math.max(1, (double) out / in)); }

    /** Newton–Schulz on the backend's matmul (the quintic of {@link NewtonSchulz}, eps 1e-7). */
    static Tensor orthogonalize(Tensor u) {
        boolean tr = u.shape().dim(0) > u.shape().dim(1);
        Tensor x = tr ? u.mT().contiguous() : u;
        x = x.mul(1 / (Math.sqrt(x.square().sumAll().item()) + NewtonSchulz.MUON_EPS));
        for (int it = 0; it < NewtonSchulz.STEPS; it++) {
            Tensor a = x.matmul(x.mT());
            x = x.mul(NewtonSchulz.C0).add(a.mul(NewtonSchulz.C1).add(a.matmul(a).mul(NewtonSchulz.C2)).matmul(x));
        }
        return tr ? x.mT().contiguous() : x;
    }

    @Override public String name() { return "muon"; }
}
