package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * Gradient transformations in front of an optimizer, applied in this order: weight decay {@code g ← g + wd·p}
 * ([LO] WeightDecayWrapper), clipping by value, clipping by global norm, then gradient accumulation over
 * {@code accumulate} calls (the inner optimizer steps once per {@code accumulate} calls, on the mean gradient,
 * with {@code numSteps / accumulate} planned steps). The non-finite policy is applied per call before anything else.
 */
public record Wrapped(Optimizer inner, double weightDecay, double clipValue, double clipGlobalNorm, int accumulate,
                      NonFinitePolicy policy) implements Optimizer {
    public Wrapped {
        if (accumulate < 1) throw new IllegalArgumentException("accumulate must be >= 1");
    }

    /** Clipping by value then Adam-style accumulation, as learned_optimization's outer optimizer. */
    public static Wrapped clipAndAccumulate(Optimizer inner, double clipValue, int k) {
        return new Wrapped(inner, 0, clipValue, 0, k, NonFinitePolicy.SKIP_AND_COUNT);
    }

    @Override public OptState init(Slab params) {
        OptState in = inner.init(params);
        Map<String, Slab> s = new LinkedHashMap<>();
        in.slabs().forEach((k, v) -> s.put("inner/" + k, v));
        if (accumulate > 1) s.put("acc", params.zerosLike());
        return new OptState(0, 0, s);
    }

    @Override public OptState update(OptState s, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return s.skippedStep();
        Buf p = Buf.of(params), g = Buf.of(grads);
        int n = params.layout().size();
        if (weightDecay != 0) Fused.pass(n, (from, to) -> { for (int i = from; i < to; i++) g.set(i, g.get(i) + weightDecay * p.get(i)); });
        if (clipValue > 0) Fused.pass(n, (from, to) -> { for (int i = from; i < to; i++) g.set(i, Math.max(-clipValue, Math.min(clipValue, g.get(i)))); });
        if (clipGlobalNorm > 0) {
            double norm = Math.sqrt(Fused.sumSquares(g, n));
            if (norm > clipGlobalNorm) {
                double f = clipGlobalNorm / norm;
                Fused.pass(n, (from, to) -> { for (int i = from; i < to; i++) g.set(i, g.get(i) * f); });
            }
        }
        Map<String, Slab> innerSlabs = new LinkedHashMap<>();
        s.slabs().forEach((k, v) -> { if (k.startsWith("inner/")) innerSlabs.put(k.substring(6), v); });
        int micro = s.step() + 1;
        OptState innerState = new OptState(s.step() / accumulate, 0, innerSlabs);
        Slab use = grads;
        if (accumulate > 1) {
            Slab acc = s.slab("acc");
            Buf a = Buf.of(acc);
            Fused.pass(n, (from, to) -> { for (int i = from; i < to; i++) a.set(i, a.get(i) + g.get(i)); });
            if (micro % accumulate != 0) return new OptState(micro, s.skipped(), s.slabs());
            double inv = 1.0 / accumulate;
            Fused.pass(n, (from, to) -> { for (int i = from; i < to; i++) { a.set(i, a.get(i) * inv); } });
            use = acc;
        }
        inner.update(innerState, params, use, new StepInfo(info.loss(), info.numSteps() / accumulate));
        if (accumulate > 1) s.slab("acc").flat().fill(0);
        return new OptState(micro, s.skipped(), s.slabs());
    }

    @Override public String describe() {
        return "wrapped(" + inner.describe() + ", wd=" + weightDecay + ", clip_value=" + clipValue + ", clip_norm=" + clipGlobalNorm + ", accumulate=" + accumulate + ")";
    }
}
