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
 * The AdamW part is one fused launch over a slab of the non-matrix tensors; the matrices take the momentum over the
 * whole slab, the backend's grouped Newton–Schulz pass (every matrix at once, each result times its s) and two fused
 * SGD launches over the whole slab (decay, when there is any, then the step) before the AdamW results are written back over the other
 * tensors' entries: a fixed number of launches for the matrices, whatever their number.
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
     * Momentum (laid out like the parameters; the matrices' entries are Muon's), Adam's moments for the other tensors
     * (laid out as a slab of those tensors alone), the others' parameters and gradients gathered each step into two
     * slabs of that layout and the orthogonalized update (scratch, allocated once), the chunk tables of the whole slab
     * and of the others' slab, and the matrices' Newton–Schulz plan.
     */
    public record State(Slab trace, Slab m, Slab v, Slab otherParams, Slab otherGrads, Slab update, FusedOps.Chunks all, FusedOps.Chunks others,
                        NewtonSchulzPlan plan, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return Map.of("trace", trace, "m", m, "v", v); }
        @Override public State copy() {
            return new State(trace.copy(), m.copy(), v.copy(), otherParams.zerosLike(), otherGrads.zerosLike(), update.zerosLike(), all, others, plan, step, skipped);
        }
        @Override public State withCounters(Map<String, Integer> c) {
            return new State(trace, m, v, otherParams, otherGrads, update, all, others, plan, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
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
        List<NewtonSchulzPlan.Matrix> ms = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            if (!isMatrix(l, i)) continue;
            ms.add(new NewtonSchulzPlan.Matrix(l.offset(i), l.shape(i).dim(0), l.shape(i).dim(1)));
        }
        float[] scales = new float[ms.size()];
        for (int j = 0; j < scales.length; j++) scales[j] = (float) scale(ms.get(j).rows(), ms.get(j).cols());
        return new State(params.zerosLike(), Slab.zeros(b, params.dtype(), o), Slab.zeros(b, params.dtype(), o), Slab.zeros(b, params.dtype(), o),
                Slab.zeros(b, params.dtype(), o), params.zerosLike(), FusedOps.Chunks.of(l, b), FusedOps.Chunks.of(o, b),
                NewtonSchulzPlan.of(b, ms, scales), 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        if (!NonFiniteGuard.admit(policy, params, grads, s.all())) return s.skip();
        int t = s.step() + 1;
        double rate = lr.at(s.step(), info.numSteps());
        SlabLayout l = params.layout(), o = s.m().layout();
        Slab op = s.otherParams(), og = s.otherGrads();
        if (o.count() > 0) {                               // AdamW in one fused launch over the others, gathered into a slab
            for (int j = 0; j < o.count(); j++) {
                op.tensor(j).assign(params.tensor(o.names().get(j)));
                og.tensor(j).assign(grads.tensor(o.names().get(j)));
            }
            FusedOps.Chunks c = s.others();
            double b1 = others.beta1(), b2 = others.beta2();
            params.backend().fused().adamw(new FusedOps.AdamwArgs(op.flat(), og.flat(), s.m().flat(), s.v().flat(),
                    c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), others.lr().at(s.step(), info.numSteps()), b1, b2,
                    others.eps(), others.epsRoot(), others.weightDecay(), 1 - Math.pow(b1, t), 1 - Math.pow(b2, t)));
        }
        if (s.plan().count() > 0) {                        // the matrices; the others' entries are overwritten below
            Tensor tr = s.trace().flat(), g = grads.flat(), u = s.update().flat(), p = params.flat();
            tr.assign(tr.mul(momentum).add(g.mul(1 - momentum)));
            u.assign(nesterov ? g.mul(1 - momentum).add(tr.mul(momentum)) : tr);
            s.plan().run(u, NewtonSchulz.MUON_EPS);
            FusedOps.Chunks c = s.all();
            FusedOps f = params.backend().fused();
            if (weightDecay != 0) f.sgd(new FusedOps.SgdArgs(p, p, c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), rate * weightDecay));
            f.sgd(new FusedOps.SgdArgs(p, u, c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), rate));
        }
        for (int j = 0; j < o.count(); j++) params.tensor(o.names().get(j)).assign(op.tensor(j));
        return s.applied();
    }

    /** torch's "original" lr adjustment of an {@code [in, out]} weight: {@code sqrt(max(1, out/in))}. */
    public static double scale(int in, int out) { return Math.sqrt(Math.max(1, (double) out / in)); }

    @Override public String name() { return "muon"; }
}
