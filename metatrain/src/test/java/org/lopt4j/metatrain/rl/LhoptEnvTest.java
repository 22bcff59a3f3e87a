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
        assertEquals(LhoptEnv.OBSERVATION, a.get(0).length);
        assertEquals(1 + 2 * 6, a.size(), "6 outer steps");
        for (int i = 1; i < a.size(); i += 2) assertTrue(Math.abs(a.get(i)[0]) <= 3 && Double.isFinite(a.get(i)[0]));
        List<double[]> c = play(env, 5, faster);
        assertNotEquals(a.get(a.size() - 2)[0], c.get(c.size() - 2)[0], "doubling the lr each block changes the outcome");
    }

    @Test void ppoRunsOnLhoptEpisodes() {
        LhoptEnv env = new LhoptEnv(NoisyQuadratic::sample, 4, 8, true, ScalarBackend.INSTANCE);
        Ppo ppo = new Ppo(new ActorCritic(LhoptEnv.OBSERVATION, 16, env.actionSizes()), Ppo.Config.lhopt(), RandomKey.of(1), ScalarBackend.INSTANCE,
                DType.F32);
        EwmaNormalizer norm = EwmaNormalizer.lhopt(LhoptEnv.OBSERVATION);
        List<Ppo.Episode> eps = new ArrayList<>();
        for (int i = 0; i < 4; i++) eps.add(ppo.rollout(env, RandomKey.of(200 + i), norm, 10));
        Ppo.Stats s = ppo.update(eps, RandomKey.of(3));
        assertTrue(Double.isFinite(s.policyLoss()) && Double.isFinite(s.valueLoss()) && s.entropy() > 0, s.toString());
        for (Ppo.Episode e : eps) assertEquals(4, e.length());
    }
}
