package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * learned_optimization's gradient wrappers in front of an optimizer, in this order: weight decay {@code g ← g + wd·p}
 * ({@code WeightDecayWrapper}), clipping by value ({@code GradientClipOptimizer}), clipping by global norm (optax
 * {@code clip_by_global_norm}: {@code g ← g·max/‖g‖} when {@code ‖g‖ > max}), then gradient accumulation: the inner
 * optimizer steps once per {@code accumulate} calls, on the mean of their gradients, with {@code numSteps/accumulate}
 * planned steps. The non-finite policy applies per call, on the raw gradient. The gradient slab is used as scratch.
 * Passes per call: one statistics pass (transforms, Σg², finiteness), a scaling pass when clipping by norm triggers,
 * an accumulation pass when accumulating, then the inner optimizer's. 0 turns a transform off.
 */
public record GradientWrapper<S extends OptState<S>>(Optimizer<S> inner, double weightDecay, double clipValue,
                                                     double clipGlobalNorm, int accumulate, NonFinitePolicy policy)
        implements Optimizer<GradientWrapper.State<S>> {
    public GradientWrapper {
        Hyper.present("wrapper", "inner", inner);
        Hyper.present("wrapper", "policy", policy);
        if (!Double.isFinite(weightDecay)) throw new IllegalArgumentException("wrapper: weight_decay must be finite, got " + weightDecay);
        Hyper.nonNegative("wrapper", "clip_value", clipValue);
        Hyper.nonNegative("wrapper", "clip_global_norm", clipGlobalNorm);
        if (accumulate < 1) throw new IllegalArgumentException("wrapper: accumulate must be >= 1, got " + accumulate);
    }

    /** Clipping by value then accumulation over k calls (learned_optimization's outer optimizer). */
    public static <S extends OptState<S>> GradientWrapper<S> clipAndAccumulate(Optimizer<S> inner, double clipValue, int k) {
        return new GradientWrapper<>(inner, 0, clipValue, 0, k, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /** {@code WeightDecayWrapper(inner, wd)}. */
    public static <S extends OptState<S>> GradientWrapper<S> weightDecay(Optimizer<S> inner, double wd) {
        return new GradientWrapper<>(inner, wd, 0, 0, 1, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /**
     * The inner state; the accumulator {@code acc} (null unless accumulate > 1); {@code step} counts the calls that
     * were not skipped (micro-steps), so {@code step % accumulate} gradients are in {@code acc}.
     */
    public record State<S extends OptState<S>>(S inner, Slab acc, FusedOps.Chunks chunks, int step, int skipped)
            implements OptState<State<S>> {
        /** Micro-steps whose gradients are in the accumulator. */
        public int accumulated(int accumulate) { return step % accumulate; }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> b = new LinkedHashMap<>();
            inner.buffers().forEach((k, v) -> b.put("inner/" + k, v));
            if (acc != null) b.put("acc", acc);
            return b;
        }

        @Override public Map<String, Integer> counters() {
            Map<String, Integer> c = new LinkedHashMap<>(OptState.super.counters());
            inner.counters().forEach((k, v) -> c.put("inner/" + k, v));
            return c;
        }

        @Override public State<S> copy() { return new State<>(inner.copy(), acc == null ? null : acc.copy(), chunks, step, skipped); }

        @Override public State<S> withCounters(Map<String, Integer> c) {
            Map<String, Integer> in = new LinkedHashMap<>();
            c.forEach((k, v) -> { if (k.startsWith("inner/")) in.put(k.substring("inner/".length()), v); });
            return new State<>(inner.withCounters(in), acc, chunks, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    @Override public State<S> init(Slab params) {
        return new State<>(inner.init(params), accumulate > 1 ? params.zerosLike() : null,
                FusedOps.Chunks.of(params.layout(), params.backend()), 0, 0);
    }

    @Override public State<S> update(State<S> s, Slab params, Slab grads, StepInfo info) {
        NonFiniteGuard.GradStats st = NonFiniteGuard.stats(policy, params, grads, s.chunks(), weightDecay, clipValue);
        if (!NonFiniteGuard.admit(policy, st, grads)) return s.skip();
        double norm = Math.sqrt(st.sumSquares());
        if (clipGlobalNorm > 0 && norm > clipGlobalNorm) scale(grads.flat(), clipGlobalNorm / norm);
        int micro = s.step() + 1;
        StepInfo innerInfo = new StepInfo(info.step() < 0 ? info.step() : info.step() / accumulate, info.loss(), info.numSteps() / accumulate);
        if (accumulate == 1) return new State<>(inner.update(s.inner(), params, grads, innerInfo), null, s.chunks(), micro, s.skipped());
        Tensor acc = s.acc().flat();
        acc.applyInPlace(Op.Binary.ADD, grads.flat());
        if (micro % accumulate != 0) return new State<>(s.inner(), s.acc(), s.chunks(), micro, s.skipped());
        scale(acc, 1.0 / accumulate);
        S next = inner.update(s.inner(), params, s.acc(), innerInfo);
        acc.fill(0);
        return new State<>(next, s.acc(), s.chunks(), micro, s.skipped());
    }

    private static void scale(Tensor t, double f) {
        t.applyInPlace(Op.Binary.MUL, Tensor.full(t.backend(), t.dtype(), Shape.SCALAR, f));
    }

    @Override public String name() { return "wrapped-" + inner.name(); }
}
