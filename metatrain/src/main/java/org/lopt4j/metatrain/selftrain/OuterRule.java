package org.lopt4j.metatrain.selftrain;

import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.outer.OuterOptimizer;
import org.lopt4j.metatrain.outer.Perturbations;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * What moves a member's θ along its ES gradient (pbt_selftraining.md §2–§3): a learned optimizer from the population
 * ({@link Kind#SELF}: the member's own θ; {@link Kind#BEST}: the best member's), which treats θ's tensors as its
 * parameters (factored accumulators and all), or Adam ({@link Kind#ADAM}, the metatrain path's outer optimizer, as the
 * control). Then {@code θ ← θ + stepMult·(θ' − θ)}. The learned rule runs in float64 on the host: θ is a few hundred
 * values, and the same update on every machine keeps runs reproducible.
 */
public record OuterRule(Kind kind, LearnedOptimizer<?> lopt, OuterOptimizer adam, int horizon) {
    /** Which rule. */
    public enum Kind {
        SELF, BEST, ADAM;

        /** {@code self}, {@code best} or {@code adam}. */
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(s)) return k;
            throw new IllegalArgumentException("unknown outer rule '" + s + "'; known: self, best, adam");
        }
    }

    /** The rule's state for one member: Adam's, or the learned optimizer's over θ's layout. */
    public record State(OuterOptimizer.State adam, OptState<?> learned) {
        /** A deep copy. */
        public State copy() { return new State(adam == null ? null : adam.copy(), learned == null ? null : learned.copy()); }
    }

    /** The rule of a config. */
    static OuterRule of(SelfTrainConfig c, LearnedOptimizer<?> lo) {
        return new OuterRule(Kind.parse(c.outerRule()), lo, OuterOptimizer.adam(c.adamLr()), c.outerSteps());
    }

    /** A fresh state for θ. */
    public State init(double[] theta) {
        if (kind == Kind.ADAM) return new State(adam.init(theta.length), null);
        return new State(null, initLearned(lopt, theta));
    }

    private static <S extends OptState<S>> S initLearned(LearnedOptimizer<S> lo, double[] theta) {
        return lo.optimizer(Perturbations.population(lo, theta, null, 1, 1)).init(slab(lo.thetaLayout(), theta));
    }

    /**
     * One outer step of a member: θ (updated in place) moves along {@code grad}; {@code ruleTheta} is the θ of the
     * learned optimizer that moves it (unused by Adam); {@code loss} is the member's meta-loss, {@code step} the outer
     * step. Returns the next state.
     */
    public State update(State s, double[] theta, double[] grad, double loss, double[] ruleTheta, int step, double stepMult) {
        double[] next = theta.clone();
        State out;
        if (kind == Kind.ADAM) {
            out = new State(adam.update(s.adam(), next, grad, loss), null);
        } else {
            out = new State(null, updateLearned(lopt, s.learned(), next, grad, loss, ruleTheta, step, horizon));
        }
        for (int j = 0; j < theta.length; j++) theta[j] = stepMult == 1 ? next[j] : theta[j] + stepMult * (next[j] - theta[j]);
        return out;
    }

    private static <S extends OptState<S>> S updateLearned(LearnedOptimizer<S> lo, OptState<?> state, double[] theta, double[] grad,
                                                           double loss, double[] ruleTheta, int step, int horizon) {
        Optimizer<S> opt = lo.optimizer(Perturbations.population(lo, ruleTheta, null, 1, 1));
        Slab params = slab(lo.thetaLayout(), theta), grads = slab(lo.thetaLayout(), grad);
        S next = opt.update(lo.stateType().cast(state), params, grads, new StepInfo(step, loss, horizon));
        System.arraycopy(params.flat().toDoubleArray(), 0, theta, 0, theta.length);
        return next;
    }

    private static Slab slab(SlabLayout l, double[] values) {
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, l);
        s.flat().assign(Tensor.of(ScalarBackend.INSTANCE, values, values.length));
        return s;
    }
}
