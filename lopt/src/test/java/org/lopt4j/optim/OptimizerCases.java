package org.lopt4j.optim;

import java.util.List;
import org.lopt4j.optim.spec.AdafactorSpec;
import org.lopt4j.optim.spec.AdamSpec;
import org.lopt4j.optim.spec.GradientWrapperSpec;
import org.lopt4j.optim.spec.LionSpec;
import org.lopt4j.optim.spec.MuonSpec;
import org.lopt4j.optim.spec.NAdamWSpec;
import org.lopt4j.optim.spec.RmsPropSpec;
import org.lopt4j.optim.spec.SgdSpec;

/** The one table of optimizers every parametrized optimizer test runs over: each fused optimizer beside its spec. */
final class OptimizerCases {
    private OptimizerCases() {}

    /** A fused optimizer and its tensor-op spec (same state record). */
    record Case<S extends OptState<S>>(String name, Optimizer<S> fast, Optimizer<S> spec) {
        @Override public String toString() { return name; }
    }

    static final NonFinitePolicy SKIP = NonFinitePolicy.SKIP_AND_COUNT;

    static Adafactor adafactorFactored() {
        return new Adafactor(new Schedule.Constant(0.05), 6, 0.8, 0, true, 1.0, 0.9, 0.01, 1e-30, true, SKIP);
    }

    /** Every optimizer with hyperparameters that exercise its options (schedules, momentum, decay, centering...). */
    static List<Case<?>> all() {
        Adam adam = Adam.lo(0.01);
        Adam optaxAdam = new Adam(new Schedule.Cosine(0.02, 0.1, 0.3, 0.2), 0.8, 0.99, 1e-8, 0, SKIP);
        AdamW adamw = new AdamW(new Schedule.LinearWarmup(0.01, 3), 0.9, 0.999, 1e-8, 0, 0.1, SKIP);
        NAdamW nadamw = new NAdamW(new Schedule.Cosine(0.01, 0, 0.5, 0.01), 0.9, 0.99, 1e-6, 0.02, 0.01, true, SKIP);
        NAdamW nadamPlain = new NAdamW(new Schedule.LinearDecay(0.01, 0.1), 0.9, 0.999, 1e-8, 0, 0, false, SKIP);
        RmsProp rms = RmsProp.lo(0.01);
        RmsProp rmsFull = new RmsProp(new Schedule.Constant(0.005), 0.9, 1e-6, true, true, 0.9, true, SKIP);
        RmsProp rmsTorch = new RmsProp(new Schedule.Constant(0.005), 0.99, 1e-8, false, true, 0.5, false, SKIP);
        Lion lion = new Lion(new Schedule.Constant(0.003), 0.9, 0.99, 0.1, SKIP);
        Muon muon = new Muon(new Schedule.Cosine(0.02, 0.1, 0, 0.2), 0.95, true, 0.1, adamw, SKIP);
        Muon muonPlain = new Muon(new Schedule.Constant(0.01), 0.9, false, 0, AdamW.of(0.01, 0), SKIP);
        Adafactor adaDefault = Adafactor.of(0.05);
        Adafactor adaFactored = adafactorFactored();
        Adafactor adaPlain = new Adafactor(new Schedule.Constant(0.01), 6, 0.8, -2, false, 0, 0, 0, 1e-30, true, SKIP);
        Sgd sgd = Sgd.of(0.1);
        Momentum heavy = Momentum.heavyBall(0.05, 0.9), nesterov = Momentum.nesterov(0.05, 0.9);
        GradientWrapper<Adam.State> wrapped = new GradientWrapper<>(adam, 0.01, 0.5, 1.0, 2, SKIP);
        GradientWrapper<Momentum.State> decayed = GradientWrapper.weightDecay(heavy, 0.1);
        return List.of(
                new Case<>("sgd", sgd, new SgdSpec(sgd)),
                new Case<>("momentum", heavy, new SgdSpec.MomentumSpec(heavy)),
                new Case<>("nesterov", nesterov, new SgdSpec.MomentumSpec(nesterov)),
                new Case<>("adam(lo, eps_root 1e-8)", adam, new AdamSpec(adam)),
                new Case<>("adam(optax, cosine)", optaxAdam, new AdamSpec(optaxAdam)),
                new Case<>("adamw(warmup, wd 0.1)", adamw, new AdamSpec.AdamWSpec(adamw)),
                new Case<>("nadamw(nesterov, l2, wd, cosine)", nadamw, new NAdamWSpec(nadamw)),
                new Case<>("nadamw(plain, linear decay)", nadamPlain, new NAdamWSpec(nadamPlain)),
                new Case<>("rmsprop(optax)", rms, new RmsPropSpec(rms)),
                new Case<>("rmsprop(centered, nesterov momentum)", rmsFull, new RmsPropSpec(rmsFull)),
                new Case<>("rmsprop(torch eps, centered, momentum)", rmsTorch, new RmsPropSpec(rmsTorch)),
                new Case<>("lion", lion, new LionSpec(lion)),
                new Case<>("muon(nesterov, wd, cosine; adamw with warmup for the rest)", muon, new MuonSpec(muon)),
                new Case<>("muon(heavy ball, no decay)", muonPlain, new MuonSpec(muonPlain)),
                new Case<>("adafactor(defaults: none factored)", adaDefault, new AdafactorSpec(adaDefault)),
                new Case<>("adafactor(factored, momentum, decay)", adaFactored, new AdafactorSpec(adaFactored)),
                new Case<>("adafactor(unfactored, no clip, no scale, offset)", adaPlain, new AdafactorSpec(adaPlain)),
                new Case<>("wrapped adam(wd, clip, norm, accumulate 2)", wrapped, new GradientWrapperSpec<>(wrapped, new AdamSpec(adam))),
                new Case<>("weight-decayed momentum", decayed, new GradientWrapperSpec<>(decayed, new SgdSpec.MomentumSpec(heavy))));
    }
}
