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
 * {@code outerSteps} blocks of {@code innerSteps} inner steps; after each block the policy's action changes CIAO's
 * hyperparameters ({@link CiaoActions}) and the reward is {@code clip(log(s_eq / s), −3, 3)}: the steps an Adam
 * baseline (constant lr 1e-3, fitted by a {@link PowerLawBaseline}) needs for the evaluation loss reached after s steps.
 * The observation: progress, the 13 CIAO features averaged over the block, tanh of the log loss ratio to the start, and
 * each hyperparameter's log ratio to its episode-initial value (the clip ratio's logit difference).
 */
public final class LhoptEnv implements Env {
    public static final int OBSERVATION = 1 + CiaoFeatures.COUNT + 1 + CiaoActions.HEADS.length;

    private final Function<RandomKey, InnerProblem> problems;
    private final int outerSteps, innerSteps;
    private final boolean randomize;
    private final Backend backend;
    private InnerProblem problem;
    private Slab params, grads;
    private Ciao ciao, initial;
    private Ciao.State state;
    private PowerLawBaseline baseline;
    private double startLoss;
    private int k;
    private RandomKey key;

    public LhoptEnv(Function<RandomKey, InnerProblem> problems, int outerSteps, int innerSteps, boolean randomize, Backend backend) {
        this.problems = problems;
        this.outerSteps = outerSteps;
        this.innerSteps = innerSteps;
        this.randomize = randomize;
        this.backend = backend;
    }

    @Override public int observationSize() { return OBSERVATION; }

    @Override public int[] actionSizes() { return CiaoActions.sizes(); }

    public InnerProblem problem() { return problem; }

    public Ciao ciao() { return ciao; }

    @Override public double[] reset(RandomKey key) {
        this.key = key;
        problem = problems.apply(key.child(0));
        params = problem.init(key.child(1), backend);
        grads = params.zerosLike();
        initial = randomize ? CiaoActions.randomize(Ciao.lhopt(), key.child(2)) : Ciao.lhopt();
        ciao = initial;
        state = ciao.init(params);
        startLoss = problem.evalLoss(params);
        baseline = baseline(key.child(3));
        k = 0;
        return observation(new double[CiaoFeatures.COUNT], startLoss);
    }

    /** Adam at lr 1e-3 on the same problem and gradient samples, evaluated after every block. */
    private PowerLawBaseline baseline(RandomKey noise) {
        Slab p = problem.init(key.child(1), backend), g = p.zerosLike();
        AdamW adam = AdamW.of(1e-3, 0);
        Adam.State s = adam.init(p);
        double[] steps = new double[outerSteps + 1], losses = new double[outerSteps + 1];
        steps[0] = 1;
        losses[0] = problem.evalLoss(p);
        for (int b = 1; b <= outerSteps; b++) {
            for (int i = 0; i < innerSteps; i++) {
                problem.lossAndGrad(p, g, noise.fold((long) (b - 1) * innerSteps + i));
                s = adam.update(s, p, g, StepInfo.NONE);
            }
            steps[b] = (double) b * innerSteps;
            losses[b] = problem.evalLoss(p);
        }
        return PowerLawBaseline.fit(steps, losses, 2.0 * outerSteps * innerSteps);
    }

    @Override public Step step(int[] action) {
        ciao = CiaoActions.apply(ciao, action);
        double[] features = new double[CiaoFeatures.COUNT];
        int counted = 0;
        for (int i = 0; i < innerSteps; i++) {
            problem.lossAndGrad(params, grads, key.child(3).fold((long) k * innerSteps + i));
            state = ciao.update(state, params, grads, StepInfo.NONE);
            if (state.features() != null) {
                for (int q = 0; q < features.length; q++) features[q] += state.features()[q];
                counted++;
            }
        }
        if (counted > 0) for (int q = 0; q < features.length; q++) features[q] /= counted;
        k++;
        double loss = problem.evalLoss(params);
        boolean finite = Double.isFinite(loss);
        for (double f : features) finite &= Double.isFinite(f);
        double reward = finite ? Math.max(-3, Math.min(3, Math.log(baseline.equivalentSteps(loss) / ((double) k * innerSteps)))) : -3;
        return new Step(finite ? observation(features, loss) : new double[OBSERVATION], reward, !finite || k == outerSteps);
    }

    private double[] observation(double[] features, double loss) {
        double[] o = new double[OBSERVATION];
        o[0] = (double) k / outerSteps;
        System.arraycopy(features, 0, o, 1, features.length);
        o[1 + features.length] = Math.tanh(Math.log((loss + 1e-12) / (startLoss + 1e-12)));
        double[] now = CiaoActions.values(ciao), start = CiaoActions.values(initial);
        for (int h = 0; h < now.length; h++) {
            o[2 + features.length + h] = h == CiaoActions.CLIP ? CiaoActions.logit(now[h]) - CiaoActions.logit(start[h]) : Math.log(now[h] / start[h]);
        }
        return o;
    }
}
