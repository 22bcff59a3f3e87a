package org.lopt4j.optim.spec;

import org.lopt4j.optim.GradientWrapper;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * The gradient wrappers written with tensor ops over the whole slab, in front of an inner spec:
 * policy, {@code g ← g + wd·p}, clip by value, clip by global norm, accumulate, then {@code innerSpec}.
 */
public record GradientWrapperSpec<S extends OptState<S>>(GradientWrapper<S> wrapper, Optimizer<S> innerSpec)
        implements Optimizer<GradientWrapper.State<S>> {
    @Override public GradientWrapper.State<S> init(Slab params) { return wrapper.init(params); }

    @Override public GradientWrapper.State<S> update(GradientWrapper.State<S> s, Slab params, Slab grads, StepInfo info) {
        if (!SpecGuard.admit(wrapper.policy(), grads)) return s.skip();
        Tensor g = grads.flat(), p = params.flat();
        g.assign(g.add(p.mul(wrapper.weightDecay())));
        double c = wrapper.clipValue();
        if (c > 0) g.assign(g.maximum(g.scalar(-c)).minimum(g.scalar(c)));
        double norm = g.square().sumAll().sqrt().item(), max = wrapper.clipGlobalNorm();
        if (max > 0 && norm > max) g.assign(g.mul(max / norm));
        int k = wrapper.accumulate(), micro = s.step() + 1;
        StepInfo innerInfo = new StepInfo(info.step() < 0 ? info.step() : info.step() / k, info.loss(), info.numSteps() / k);
        if (k == 1) return new GradientWrapper.State<>(innerSpec.update(s.inner(), params, grads, innerInfo), null, s.chunks(), micro, s.skipped());
        Tensor acc = s.acc().flat();
        acc.assign(acc.add(g));
        if (micro % k != 0) return new GradientWrapper.State<>(s.inner(), s.acc(), s.chunks(), micro, s.skipped());
        acc.assign(acc.div(k));                                                         // the mean of k gradients
        S next = innerSpec.update(s.inner(), params, s.acc(), innerInfo);
        acc.fill(0);
        return new GradientWrapper.State<>(next, s.acc(), s.chunks(), micro, s.skipped());
    }

    @Override public String name() { return "spec-" + wrapper.name(); }
}
