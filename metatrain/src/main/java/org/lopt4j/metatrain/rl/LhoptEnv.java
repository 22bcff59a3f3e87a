package org.lopt4j.metatrain.rl;

import java.util.function.Function;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.Ciao;
import org.lopt4j.optim.CiaoFeatures;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * One LHOPT episode (lhopt.md §5): a problem drawn from the key, CIAO with (in training) randomized hyperparameters,
 * {@code outerSteps} blocks of {@code innerSteps} inner steps. Before each block the policy's action changes CIAO's
 * hyperparameters ({@link CiaoActions}), after the rich observation's restart register (keep, save the parameters,
 * CIAO's state and hyperparameters, or load the save); after it the observation is {@link LhoptObservation}'s (its loss
 * series: the evaluation loss in the basic observation, the block's mean training loss in the rich one, which a policy
 * also has when it runs) and the reward is {@code clip(log(s_eq / s), −3, 3)}: the steps an Adam baseline needs for
 * the evaluation loss reached after s steps. The baseline is the envelope of Adam runs at {@code baselineLrs} on the
 * same problem and gradient samples (at each block the lowest of their losses; with several, made monotone by a running
 * minimum as tasks.md §5 does; one run is fitted as it is), fitted by a {@link PowerLawBaseline}.
 */
public final class LhoptEnv implements Env {
    /** The restart register's head: its choices. */
    public static final int KEEP = 0, SAVE = 1, LOAD = 2;
    /** The baseline's learning rate by default: Adam at lr 1e-3 (lhopt.md §4: {@code adam_baseline}). */
    public static final double[] BASELINE_LRS = {1e-3};

    private final Function<RandomKey, InnerProblem> problems;
    private final int outerSteps, innerSteps;
    private final boolean randomize;
    private final Backend backend;
    private final double[] baselineLrs;
    private final boolean rich, critic;
    /**
     * The critic's inputs (lhopt.md §4): the task kind one-hot (noisy quadratic, 8×8 MLP, 14×14 MLP), the episode's
     * initial hyperparameter perturbations (log ratios to CIAO's defaults, the clip ratio's logit difference), the last
     * reward, the log evaluation loss, and tanh(log(c)/10) of the baseline's fitted power-law exponent c.
     */
    public static final int PRIVILEGED = 3 + 8 + 3;
    private double lastReward, lastEval;
    private InnerProblem problem;
    private Slab params, grads, savedParams;
    private Ciao ciao, initial, savedCiao;
    private Ciao.State state, savedState;
    private LhoptObservation history;
    private LhoptObservation.Register register;
    private PowerLawBaseline baseline;
    /** The first training loss, and the last block's mean training loss (before any block: the initial evaluation loss). */
    private double firstLoss, lastLoss, startEval;
    private int k;
    private RandomKey key;

    public LhoptEnv(Function<RandomKey, InnerProblem> problems, int outerSteps, int innerSteps, boolean randomize, Backend backend, double[] baselineLrs,
                    boolean rich) {
        this(problems, outerSteps, innerSteps, randomize, backend, baselineLrs, rich, false);
    }

    /** With {@code critic}: {@link #privileged} gives the asymmetric critic's {@link #PRIVILEGED} inputs. */
    public LhoptEnv(Function<RandomKey, InnerProblem> problems, int outerSteps, int innerSteps, boolean randomize, Backend backend, double[] baselineLrs,
                    boolean rich, boolean critic) {
        this.critic = critic;
        if (baselineLrs.length == 0) throw new IllegalArgumentException("the reward's baseline needs at least one Adam learning rate");
        this.problems = problems;
        this.outerSteps = outerSteps;
        this.innerSteps = innerSteps;
        this.randomize = randomize;
        this.backend = backend;
        this.baselineLrs = baselineLrs.clone();
        this.rich = rich;
    }

    /** The basic observation and the baseline of {@link #BASELINE_LRS}. */
    public LhoptEnv(Function<RandomKey, InnerProblem> problems, int outerSteps, int innerSteps, boolean randomize, Backend backend) {
        this(problems, outerSteps, innerSteps, randomize, backend, BASELINE_LRS, false);
    }

    /** Choices per head: CIAO's hyperparameters, then (rich) the restart register. */
    public static int[] actions(boolean rich) {
        int[] c = CiaoActions.sizes();
        if (!rich) return c;
        int[] a = java.util.Arrays.copyOf(c, c.length + 1);
        a[c.length] = 3;
        return a;
    }

    @Override public int observationSize() { return LhoptObservation.size(rich); }

    /** The critic's inputs now ({@link #PRIVILEGED} of them; empty unless this environment was built for the critic). */
    @Override public double[] privileged() {
        if (!critic) return new double[0];
        double[] z = new double[PRIVILEGED];
        String name = problem.name();
        z[problem instanceof NoisyQuadratic ? 0 : name.contains("14_") ? 2 : 1] = 1;
        LhoptObservation.hyperparameters(z, 3, initial, Ciao.lhopt());
        z[11] = lastReward;
        z[12] = Double.isFinite(lastEval) ? Math.log(Math.max(lastEval, 1e-12)) : 0;
        z[13] = Math.tanh(Math.log(baseline.c()) / 10);
        return z;
    }

    @Override public int[] actionSizes() { return actions(rich); }

    public InnerProblem problem() { return problem; }

    public Ciao ciao() { return ciao; }

    public PowerLawBaseline baseline() { return baseline; }

    @Override public double[] reset(RandomKey key) {
        this.key = key;
        problem = problems.apply(key.child(0));
        params = problem.init(key.child(1), backend);
        grads = params.zerosLike();
        initial = randomize ? CiaoActions.randomize(Ciao.lhopt(), key.child(2)) : Ciao.lhopt();
        ciao = initial;
        state = ciao.init(params);
        history = LhoptObservation.start(rich);
        register = LhoptObservation.Register.EMPTY;
        savedParams = null;
        firstLoss = Double.NaN;
        lastLoss = problem.evalLoss(params);
        baseline = baseline(key.child(3), lastLoss);
        k = 0;
        startEval = lastLoss;
        lastEval = lastLoss;
        lastReward = 0;
        return LhoptObservation.initial(rich);
    }

    /** Adam at each baseline learning rate on the same problem and gradient samples, evaluated after every block. */
    private PowerLawBaseline baseline(RandomKey noise, double initialLoss) {
        double[] steps = new double[outerSteps + 1], best = new double[outerSteps + 1];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = initialLoss;                                          // every run starts from the episode's initialization
        for (double lr : baselineLrs) {
            Slab p = problem.init(key.child(1), backend), g = p.zerosLike();
            AdamW adam = AdamW.of(lr, 0);
            Adam.State s = adam.init(p);
            for (int b = 1; b <= outerSteps; b++) {
                for (int i = 0; i < innerSteps; i++) {
                    problem.lossAndGrad(p, g, noise.fold((long) (b - 1) * innerSteps + i));
                    s = adam.update(s, p, g, StepInfo.NONE);
                }
                double l = problem.evalLoss(p);
                if (Double.isFinite(l)) best[b] = Math.min(best[b], l);
            }
        }
        steps[0] = 1;
        for (int b = 1; b <= outerSteps; b++) {
            steps[b] = (double) b * innerSteps;
            if (baselineLrs.length > 1) best[b] = Math.min(best[b], best[b - 1]);
        }
        return PowerLawBaseline.fit(steps, best, 2.0 * outerSteps * innerSteps);
    }

    /** Works the restart register: keep, save (parameters, CIAO's state and hyperparameters), or load the save. */
    void register(int r) {
        if (r == SAVE) {
            savedParams = params.copy();
            savedState = state.copy();
            savedCiao = ciao;
            register = new LhoptObservation.Register(true, lastLoss, (double) k / outerSteps);
        } else if (r == LOAD && savedParams != null) {
            params.flat().assign(savedParams.flat());
            state = savedState.copy();
            ciao = savedCiao;
        }
    }

    /** The parameters being trained. */
    Slab params() { return params; }

    Ciao.State state() { return state; }

    @Override public Step step(int[] action) {
        if (rich) register(action[action.length - 1]);
        ciao = CiaoActions.apply(ciao, java.util.Arrays.copyOf(action, CiaoActions.HEADS.length));
        double[] features = new double[CiaoFeatures.COUNT];
        int counted = 0;
        double blockLoss = 0;
        for (int i = 0; i < innerSteps; i++) {
            double l = problem.lossAndGrad(params, grads, key.child(3).fold((long) k * innerSteps + i));
            if (Double.isNaN(firstLoss)) firstLoss = l;
            blockLoss += l / innerSteps;
            state = ciao.update(state, params, grads, StepInfo.NONE);
            if (state.features() != null) {
                for (int q = 0; q < features.length; q++) features[q] += state.features()[q];
                counted++;
            }
        }
        if (counted > 0) for (int q = 0; q < features.length; q++) features[q] /= counted;
        k++;
        lastLoss = blockLoss;
        double loss = problem.evalLoss(params);
        boolean finite = Double.isFinite(loss) && Double.isFinite(blockLoss);
        for (double f : features) finite &= Double.isFinite(f);
        double reward = finite ? Math.max(-3, Math.min(3, Math.log(baseline.equivalentSteps(loss) / ((double) k * innerSteps)))) : -3;
        lastReward = reward;
        lastEval = loss;
        if (!finite) return new Step(new double[observationSize()], reward, true);
        LhoptObservation.Next next = rich ? history.next((double) k / outerSteps, features, blockLoss, firstLoss, ciao, initial, register)
                : history.next((double) k / outerSteps, features, loss, startEval, ciao, initial, register);
        history = next.history();
        return new Step(next.vector(), reward, k == outerSteps);
    }
}
