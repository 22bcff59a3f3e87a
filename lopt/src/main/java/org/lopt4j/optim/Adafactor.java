package org.lopt4j.optim;

import static org.lopt4j.tensor.FusedOps.AdafactorArgs.FIELDS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.FusedOps.AdafactorArgs;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Adafactor (arXiv 1804.04235, optax {@code adafactor}). With c the update count before this update,
 * {@code ρ = 1 − (c − decayOffset + 1)^(−decayRate)} (0 first), {@code G = g² + eps}. A tensor is factored when
 * {@code factored} is on, its rank is ≥ 2 and its second-largest axis (stable rule, {@link FactoredDims}) is at least
 * {@code minDimSizeToFactor}: row EMA of G averaged over d0, column EMA averaged over d1, {@code u = g·(v_row /
 * rowmean(v_row))^(−1/2)·v_col^(−1/2)}; otherwise {@code v ← ρ·v + (1−ρ)·G}, {@code u = g·v^(−1/2)}. Then
 * {@code u ← u / max(1, rms(u)/clippingThreshold)} (0: no clipping), {@code u ← lr·u}, times {@code max(rms(p), 1e-3)}
 * when multiplyByParameterScale, EMA momentum {@code b ← μ·b + (1−μ)·u} when μ > 0, {@code u ← u + wdRate·p} (not
 * scaled by lr), {@code p ← p − u}. Four fused passes per step (reduce, factors, norms, apply), whatever the tensors.
 */
public record Adafactor(Schedule lr, int minDimSizeToFactor, double decayRate, double decayOffset,
                        boolean multiplyByParameterScale, double clippingThreshold, double momentum, double weightDecayRate,
                        double eps, boolean factored, NonFinitePolicy policy) implements Optimizer<Adafactor.State> {
    public Adafactor {
        Hyper.present("adafactor", "lr", lr);
        Hyper.present("adafactor", "policy", policy);
        if (minDimSizeToFactor < 1) throw new IllegalArgumentException("adafactor: min_dim_size_to_factor must be >= 1, got " + minDimSizeToFactor);
        Hyper.nonNegative("adafactor", "decay_rate", decayRate);
        if (!(decayOffset <= 0)) {
            throw new IllegalArgumentException("adafactor: decay_offset must be <= 0 (got " + decayOffset + "): ρ = 1 − (c − offset + 1)^(−rate) "
                    + "is not a number for the first updates otherwise");
        }
        Hyper.nonNegative("adafactor", "clipping_threshold", clippingThreshold);
        Hyper.inRange("adafactor", "momentum", momentum, 0, 1);
        Hyper.nonNegative("adafactor", "weight_decay_rate", weightDecayRate);
        Hyper.nonNegative("adafactor", "eps", eps);
        if (eps == 0) throw new IllegalArgumentException("adafactor: eps must be > 0");
    }

    /** optax defaults (and [LO]'s, which passes them through): min dim 128, decay 0.8, clip 1, parameter scale on. */
    public static Adafactor of(double lr) {
        return new Adafactor(new Schedule.Constant(lr), 128, 0.8, 0, true, 1.0, 0, 0, 1e-30, true, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /** The factored axes of a parameter shape, or null when it keeps a full second moment. */
    public FactoredDims factoring(Shape s) {
        FactoredDims f = factored ? FactoredDims.of(s) : null;
        return f != null && s.dim(f.d1()) >= minDimSizeToFactor ? f : null;
    }

    /**
     * Per-layout constants built once at init: the factor table ({@link AdafactorArgs#FIELDS} I32 per tensor), the
     * size of the row-mean scratch and the chunk table.
     */
    public record Plan(Tensor factors, int rowMeanSize, FusedOps.Chunks chunks) {}

    /**
     * Row and column EMAs (one entry per parameter tensor, empty where unfactored), the full EMA {@code v} (empty
     * where factored), the momentum {@code trace} (null unless momentum > 0), the plan and counters.
     */
    public record State(Slab vRow, Slab vCol, Slab v, Slab trace, Plan plan, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> b = new LinkedHashMap<>();
            b.put("v_row", vRow);
            b.put("v_col", vCol);
            b.put("v", v);
            if (trace != null) b.put("trace", trace);
            return b;
        }

        @Override public State copy() {
            return new State(vRow.copy(), vCol.copy(), v.copy(), trace == null ? null : trace.copy(), plan, step, skipped);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            return new State(vRow, vCol, v, trace, plan, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    @Override public State init(Slab params) {
        SlabLayout l = params.layout();
        List<Shape> rows = new ArrayList<>(), cols = new ArrayList<>(), full = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            FactoredDims f = factoring(l.shape(i));
            rows.add(f == null ? Shape.of(0) : f.rowShape());
            cols.add(f == null ? Shape.of(0) : f.colShape());
            full.add(f == null ? l.shape(i) : Shape.of(0));
        }
        Backend b = params.backend();
        SlabLayout rl = SlabLayout.of(l.names(), rows), cl = SlabLayout.of(l.names(), cols), vl = SlabLayout.of(l.names(), full);
        int[] table = new int[l.count() * FIELDS];
        int meanAt = 0;
        for (int i = 0; i < l.count(); i++) {
            FactoredDims f = factoring(l.shape(i));
            int at = i * FIELDS;
            table[at + AdafactorArgs.ROW_OFFSET] = rl.offset(i);
            table[at + AdafactorArgs.COL_OFFSET] = cl.offset(i);
            table[at + AdafactorArgs.V_OFFSET] = vl.offset(i);
            table[at + AdafactorArgs.MEAN_OFFSET] = meanAt;
            if (f == null) continue;
            table[at + AdafactorArgs.FACTORED] = 1;
            table[at + AdafactorArgs.LO0] = f.lo0();
            table[at + AdafactorArgs.SPAN0] = f.span0();
            table[at + AdafactorArgs.LO1] = f.lo1();
            table[at + AdafactorArgs.SPAN1] = f.span1();
            table[at + AdafactorArgs.LOR] = f.loR();
            table[at + AdafactorArgs.SPANR] = f.spanR();
            meanAt += f.rowMeanSize();
        }
        Plan plan = new Plan(Tensor.of(b, table, table.length), meanAt, FusedOps.Chunks.of(l, b));
        return new State(Slab.zeros(b, params.dtype(), rl), Slab.zeros(b, params.dtype(), cl), Slab.zeros(b, params.dtype(), vl),
                momentum > 0 ? params.zerosLike() : null, plan, 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        FusedOps.Chunks c = s.plan().chunks();
        if (!NonFiniteGuard.admit(policy, params, grads, c)) return s.skip();
        Backend b = params.backend();
        double rho = 1 - Math.pow(s.step() - decayOffset + 1, -decayRate);
        AdafactorArgs a = new AdafactorArgs(params.flat(), grads.flat(), s.vRow().flat(), s.vCol().flat(), s.v().flat(),
                s.trace() == null ? null : s.trace().flat(),
                scratch(b, params, s.vRow().layout().size()), scratch(b, params, s.vCol().layout().size()),
                scratch(b, params, s.plan().rowMeanSize()), scratch(b, params, 2 * params.layout().count()), s.plan().factors(),
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                rho, eps, lr.at(s.step(), info.numSteps()), clippingThreshold, multiplyByParameterScale ? 1 : 0, momentum, weightDecayRate);
        FusedOps f = b.fused();
        f.adafactorMoments(a);
        f.adafactorFactors(a);
        f.adafactorNorms(a);
        f.adafactorApply(a);
        return s.applied();
    }

    private static Tensor scratch(Backend b, Slab like, int n) { return Tensor.zeros(b, like.dtype(), Shape.of(n)); }

    @Override public String name() { return "adafactor"; }
}
