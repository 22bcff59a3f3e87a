package org.lopt4j.metatrain.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** The LHOPT environment's parts: the noisy quadratic, the power-law baseline, a whole episode, PPO on it. */
class LhoptEnvTest {
    @Test void theNoisyQuadraticsGradientIsExactWithoutNoise() {
        NoisyQuadratic q = new NoisyQuadratic(20, 1000, 0);
        Slab p = q.init(RandomKey.of(1), ScalarBackend.INSTANCE), g = p.zerosLike();
        double loss = q.lossAndGrad(p, g, RandomKey.of(2));
        assertEquals(q.evalLoss(p), loss, 1e-12);
        CpuStorage x = (CpuStorage) p.flat().storage();
        for (int i = 0; i < 20; i += 5) {
            double xi = x.get(i), h = 1e-3;
            x.set(i, xi + h);
            double up = q.evalLoss(p);
            x.set(i, xi - h);
            double down = q.evalLoss(p);
            x.set(i, xi);
            assertEquals((up - down) / (2 * h), g.flat().toDoubleArray()[i], 1e-5);
        }
        assertEquals(1, q.curvature(0), 0);
        assertEquals(1e-3, q.curvature(19), 1e-15, "curvatures span the condition number");
    }

    @Test void thePowerLawFitInvertsToSteps() {
        double[] s = new double[15], l = new double[15];
        for (int i = 0; i < 15; i++) { s[i] = i == 0 ? 1 : 16 * i; l[i] = 0.1 + 2 * Math.pow(s[i], -0.5); }
        PowerLawBaseline f = PowerLawBaseline.fit(s, l, 480);
        for (int i = 1; i < 15; i++) {
            assertEquals(l[i], f.loss(s[i]), 0.01 * l[i]);
            assertEquals(s[i], f.equivalentSteps(l[i]), 0.05 * s[i]);
        }
        assertEquals(480, f.equivalentSteps(0.05), 0, "below the asymptote: capped at twice the run");
        assertEquals(1, f.equivalentSteps(10), 0);
        assertEquals(1, f.equivalentSteps(Double.NaN), 0);
    }

    static List<double[]> play(LhoptEnv env, long seed, int[] action) {
        List<double[]> out = new ArrayList<>();
        double[] o = env.reset(RandomKey.of(seed));
        out.add(o);
        boolean done = false;
        while (!done) {
            Env.Step st = env.step(action);
            out.add(new double[] {st.reward()});
            out.add(st.observation());
            done = st.done();
        }
        return out;
    }

    @Test void anEpisodeIsReproducibleAndItsRewardsFollowTheLr() {
        LhoptEnv env = new LhoptEnv(NoisyQuadratic::sample, 6, 8, true, ScalarBackend.INSTANCE);
        int[] keep = {3, 0, 1, 0, 1, 1, 1, 1}, faster = {6, 0, 1, 0, 1, 1, 1, 1};
        List<double[]> a = play(env, 5, keep), b = play(env, 5, keep);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), 0, "step " + i);
        assertEquals(LhoptObservation.BASIC_SIZE, a.get(0).length);
        assertEquals(1 + 2 * 6, a.size(), "6 outer steps");
        for (int i = 1; i < a.size(); i += 2) assertTrue(Math.abs(a.get(i)[0]) <= 3 && Double.isFinite(a.get(i)[0]));
        List<double[]> c = play(env, 5, faster);
        assertNotEquals(a.get(a.size() - 2)[0], c.get(c.size() - 2)[0], "doubling the lr each block changes the outcome");
        LhoptEnv rich = new LhoptEnv(NoisyQuadratic::sample, 6, 8, true, ScalarBackend.INSTANCE, LhoptEnv.BASELINE_LRS, true);
        int[] keepRich = java.util.Arrays.copyOf(keep, 9), fasterRich = java.util.Arrays.copyOf(faster, 9);
        List<double[]> r = play(rich, 5, keepRich), q = play(rich, 5, fasterRich);
        assertEquals(LhoptObservation.SIZE, r.get(0).length);
        assertNotEquals(r.get(r.size() - 1)[1 + 13 * 6], q.get(q.size() - 1)[1 + 13 * 6], "doubling the lr each block changes the loss reached");
        for (int i = 1; i < a.size(); i += 2) assertEquals(a.get(i)[0], r.get(i)[0], 0, "the same problem, actions and baseline give the same rewards");
    }

    /** Hand-computed: weights 1, 2, 4 (end weight 4 over three values); the newest value 2 is above 1, below 3, tied with itself. */
    @Test void integralCdfPlacesTheNewestValueInItsWeightedHistory() {
        assertEquals((1 + 0.5 * 4) / 7.0, IntegralCdf.of(new double[] {1, 3, 2}, 3, 4), 1e-15);
        assertEquals(0.5, IntegralCdf.of(new double[] {7}, 1, 20), 0);
        double newMin = IntegralCdf.of(new double[] {5, 4, 3, 2, 1}, 5, 20), newMax = IntegralCdf.of(new double[] {1, 2, 3, 4, 5}, 5, 20);
        assertEquals(1 - newMin, newMax, 1e-15);
        assertTrue(newMin < 0.3 && newMax > 0.7, newMin + " " + newMax);
        assertEquals(IntegralCdf.of(new double[] {1, 3, 2}, 3, 4), IntegralCdf.of(new double[] {10, 30, 20}, 3, 4), 0, "scale-free");
        assertTrue(IntegralCdf.of(new double[] {1, 3, 2}, 3, 1.25) > IntegralCdf.of(new double[] {1, 3, 2}, 3, 20),
                "a larger end weight forgets the old low value faster");
    }

    @Test void theObservationLaysOutFeaturesCdfsHyperparametersAndTheRegister() {
        org.lopt4j.optim.Ciao c = org.lopt4j.optim.Ciao.lhopt(), faster = CiaoActions.apply(c, new int[] {6, 0, 1, 0, 1, 1, 1, 1});
        double[] f1 = new double[org.lopt4j.optim.CiaoFeatures.COUNT], f2 = f1.clone();
        f1[0] = 1;
        f2[0] = 3;
        LhoptObservation.Next a = LhoptObservation.start(true).next(0.25, f1, 2.0, 2.0, c, c, LhoptObservation.Register.EMPTY);
        LhoptObservation.Next b = a.history().next(0.5, f2, 1.0, 2.0, faster, c, new LhoptObservation.Register(true, 1.5, 0.25));
        double[] o = b.vector();
        assertEquals(LhoptObservation.SIZE, o.length);
        assertEquals(1 + 14 * 6 + 8 + 3, LhoptObservation.SIZE);
        assertEquals(0.5, o[0], 0);
        assertEquals(3, o[1], 0, "feature 0, raw");
        assertEquals(IntegralCdf.of(new double[] {1, 3}, 2, 1.25), o[2], 1e-15, "feature 0 through the first CDF");
        int loss = 1 + 13 * 6;
        assertEquals(Math.tanh(Math.log(0.5)), o[loss], 1e-9, "the loss ratio to the first loss");
        assertEquals(IntegralCdf.of(new double[] {0, Math.tanh(Math.log(0.5))}, 2, 20), o[loss + 5], 1e-12);
        assertEquals(Math.log(2), o[loss + 6], 1e-12, "lr doubled");
        assertEquals(Math.log(2), o[LhoptObservation.hyperparametersAt(true)], 1e-12, "where the trainer reads the lr ratio");
        assertEquals(1, o[loss + 6 + 8], 0, "the register holds a save");
        assertEquals(Math.tanh(Math.log(1.5)), o[loss + 6 + 9], 1e-9);
        assertEquals(0.25, o[loss + 6 + 10], 0);
        assertEquals(1, a.history().history().length, "the history grows by one row a block; the record is not changed");
        assertEquals(0.5, LhoptObservation.initial(true)[2], 0);
        double[] basic = LhoptObservation.start(false).next(0.25, f1, 1.0, 2.0, faster, c, LhoptObservation.Register.EMPTY).vector();
        assertEquals(LhoptObservation.BASIC_SIZE, basic.length);
        assertEquals(1, basic[1], 0);
        assertEquals(Math.tanh(Math.log(0.5)), basic[14], 1e-9);
        assertEquals(Math.log(2), basic[15], 1e-12);
        assertEquals(Math.log(2), basic[LhoptObservation.hyperparametersAt(false)], 1e-12);
    }

    @Test void theRestartRegisterSavesAndLoadsParametersAndCiaoState() {
        LhoptEnv env = new LhoptEnv(NoisyQuadratic::sample, 6, 8, true, ScalarBackend.INSTANCE, new double[] {1e-2}, true);
        env.reset(RandomKey.of(3));
        int[] keep = {3, 0, 1, 0, 1, 1, 1, 1, LhoptEnv.KEEP};
        env.step(keep);
        env.register(LhoptEnv.LOAD);                                         // nothing saved: no change
        env.register(LhoptEnv.SAVE);
        double[] saved = env.params().flat().toDoubleArray();
        int savedStep = env.state().step();
        env.step(keep);
        env.step(keep);
        assertNotEquals(saved[0], env.params().flat().toDoubleArray()[0]);
        env.register(LhoptEnv.LOAD);
        assertArrayEquals(saved, env.params().flat().toDoubleArray(), 0);
        assertEquals(savedStep, env.state().step());
        int[] saveThenLoad = keep.clone();
        saveThenLoad[8] = LhoptEnv.LOAD;
        assertEquals(9, env.actionSizes().length);
        assertEquals(3, env.actionSizes()[8]);
        assertTrue(Double.isFinite(env.step(saveThenLoad).reward()));
    }

    /** The reward's baseline is the best of its Adam runs: a wider grid can only make it harder to beat. */
    @Test void aTunedBaselineIsAtLeastAsStrongAsOneLearningRate() {
        LhoptEnv one = new LhoptEnv(NoisyQuadratic::sample, 6, 8, true, ScalarBackend.INSTANCE);
        LhoptEnv grid = new LhoptEnv(NoisyQuadratic::sample, 6, 8, true, ScalarBackend.INSTANCE, new double[] {1e-3, 3e-3, 1e-2, 3e-2}, false);
        one.reset(RandomKey.of(4));
        grid.reset(RandomKey.of(4));
        for (int s = 8; s <= 48; s += 8) assertTrue(grid.baseline().loss(s) <= one.baseline().loss(s) * 1.05, "step " + s);
        double l = one.baseline().loss(48);
        assertTrue(grid.baseline().equivalentSteps(l) < one.baseline().equivalentSteps(l), "the tuned baseline reaches Adam(1e-3)'s final loss sooner");
    }

    @Test void ppoRunsOnLhoptEpisodes() {
        LhoptEnv env = new LhoptEnv(NoisyQuadratic::sample, 4, 8, true, ScalarBackend.INSTANCE);
        Ppo ppo = new Ppo(new ActorCritic(env.observationSize(), 16, env.actionSizes()), Ppo.Config.lhopt(), RandomKey.of(1), ScalarBackend.INSTANCE,
                DType.F32);
        EwmaNormalizer norm = EwmaNormalizer.lhopt(env.observationSize());
        List<Ppo.Episode> eps = new ArrayList<>();
        for (int i = 0; i < 4; i++) eps.add(ppo.rollout(env, RandomKey.of(200 + i), norm, 10));
        Ppo.Stats s = ppo.update(eps, RandomKey.of(3));
        assertTrue(Double.isFinite(s.policyLoss()) && Double.isFinite(s.valueLoss()) && s.entropy() > 0, s.toString());
        for (Ppo.Episode e : eps) assertEquals(4, e.length());
    }

    /** The asymmetric critic's inputs: task kind, the episode's hidden perturbations, the last reward, log loss, the baseline's exponent. */
    @Test void theCriticSeesTheTaskThePerturbationsAndTheReward() {
        LhoptEnv plain = new LhoptEnv(NoisyQuadratic::sample, 4, 8, true, ScalarBackend.INSTANCE);
        plain.reset(RandomKey.of(5));
        assertEquals(0, plain.privileged().length, "no critic inputs unless asked for");
        LhoptEnv env = new LhoptEnv(NoisyQuadratic::sample, 4, 8, true, ScalarBackend.INSTANCE, LhoptEnv.BASELINE_LRS, false, true);
        env.reset(RandomKey.of(5));
        double[] z = env.privileged();
        assertEquals(LhoptEnv.PRIVILEGED, z.length);
        assertArrayEquals(new double[] {1, 0, 0}, java.util.Arrays.copyOf(z, 3), 0, "a noisy quadratic");
        double[] want = new double[8];
        LhoptObservation.hyperparameters(want, 0, env.ciao(), org.lopt4j.optim.Ciao.lhopt());
        assertArrayEquals(want, java.util.Arrays.copyOfRange(z, 3, 11), 0);
        assertTrue(Math.abs(want[0]) > 1e-3, "training episodes perturb the initial lr");
        assertEquals(0, z[11], 0, "no reward before the first block");
        assertEquals(Math.tanh(Math.log(env.baseline().c()) / 10), z[13], 1e-15);
        Env.Step st = env.step(new int[] {3, 0, 0, 0, 0, 1, 1, 1});
        double[] after = env.privileged();
        assertEquals(st.reward(), after[11], 0);
        assertTrue(Double.isFinite(after[12]) && after[12] != z[12], "the log loss moved: " + z[12] + " -> " + after[12]);
        LhoptEnv fixed = new LhoptEnv(NoisyQuadratic::sample, 4, 8, false, ScalarBackend.INSTANCE, LhoptEnv.BASELINE_LRS, false, true);
        fixed.reset(RandomKey.of(5));
        assertArrayEquals(new double[8], java.util.Arrays.copyOfRange(fixed.privileged(), 3, 11), 0, "no perturbation outside training");
    }
}
