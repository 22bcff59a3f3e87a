package org.lopt4j.metatrain.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * PPO on its own, before it touches optimizers (lhopt.md §4): GAE against a hand-computed trajectory, the loss's
 * gradient against central differences, a bandit with a known best arm, and a memory task only a recurrent policy solves.
 */
class PpoTest {
    @Test void gaeMatchesAHandComputedTrajectory() {
        Gae g = Gae.of(new double[] {1, 0, 2}, new double[] {0.5, 0.4, 0.3}, 0, 0.9, 0.8);
        // δ2 = 2 − 0.3 = 1.7; δ1 = 0.9·0.3 − 0.4 = −0.13, A1 = −0.13 + 0.72·1.7; δ0 = 1 + 0.9·0.4 − 0.5 = 0.86, A0 = 0.86 + 0.72·A1
        double a1 = -0.13 + 0.72 * 1.7, a0 = 0.86 + 0.72 * a1;
        assertArrayEquals(new double[] {a0, a1, 1.7}, g.advantages(), 1e-12);
        assertArrayEquals(new double[] {a0 + 0.5, a1 + 0.4, 2.0}, g.returns(), 1e-12);
        Gae boot = Gae.of(new double[] {1}, new double[] {0.5}, 2, 1, 0.95);
        assertEquals(1 + 2 - 0.5, boot.advantages()[0], 1e-12, "an unfinished episode bootstraps from its last value");
    }

    /** One step: the observation is a one-hot cue at step 0 and zeros after; the reward pays choosing the cue at the last step. */
    static class Memory implements Env {
        final int steps;
        int cue, t;

        Memory(int steps) { this.steps = steps; }

        @Override public int observationSize() { return 2; }
        @Override public int[] actionSizes() { return new int[] {2}; }

        @Override public double[] reset(RandomKey key) {
            cue = key.sample(Op.Dist.UNIFORM, DType.F64, 0) < 0.5 ? 0 : 1;
            t = 0;
            return cue == 0 ? new double[] {1, 0} : new double[] {0, 1};
        }

        @Override public Step step(int[] action) {
            t++;
            boolean done = t == steps;
            return new Step(new double[] {0, 0}, done && action[0] == cue ? 1 : 0, done);
        }
    }

    /** A one-step bandit: five arms with known mean rewards, arm 3 the best. */
    static final class Bandit implements Env {
        static final double[] MEANS = {0.1, 0.5, 0.2, 0.9, 0.3};

        @Override public int observationSize() { return 1; }
        @Override public int[] actionSizes() { return new int[] {MEANS.length, 2}; }
        @Override public double[] reset(RandomKey key) { return new double[] {1}; }
        @Override public Step step(int[] action) { return new Step(new double[] {1}, MEANS[action[0]] + 0.05 * action[1], true); }
    }

    @Test void lossGradientMatchesCentralDifferences() {
        Ppo ppo = new Ppo(new ActorCritic(2, 6, new int[] {2, 3}), Ppo.Config.lhopt(), RandomKey.of(1), ScalarBackend.INSTANCE, DType.F64);
        Env env = new Memory(3) {
            @Override public int[] actionSizes() { return new int[] {2, 3}; }
        };
        List<Ppo.Episode> eps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Ppo.Episode e = ppo.rollout(env, RandomKey.of(10 + i), null, 10);
            double[] r = {0.3 * i, -0.2, 1.0};
            eps.add(new Ppo.Episode(e.observations(), e.actions(), e.logProbs(), e.values(), r));
        }
        int[] every7th = java.util.stream.IntStream.iterate(0, i -> i < ppo.params().layout().size(), i -> i + 7).toArray();
        int checked = centralDifferences(ppo, eps, every7th, true);
        assertTrue(checked > 20, "checked " + checked + " parameters");
    }

    /**
     * Holds the PPO loss's gradient (GAE λ 0.95 over {@code eps}, one minibatch of all) to central differences at the
     * parameter indices {@code at} ({@code skipZeros}: of those with a zero gradient only every third); returns how many
     * it checked; fails unless one of them has a gradient that is not 0.
     */
    static int centralDifferences(Ppo ppo, List<Ppo.Episode> eps, int[] at, boolean skipZeros) {
        List<double[]> adv = new ArrayList<>(), ret = new ArrayList<>();
        for (Ppo.Episode e : eps) {
            Gae g = Gae.of(e.rewards(), e.values(), 0, 1, 0.95);
            adv.add(g.advantages());
            ret.add(g.returns());
        }
        List<Integer> mb = java.util.stream.IntStream.range(0, eps.size()).boxed().toList();
        Slab params = ppo.params(), grads = params.zerosLike();
        try (Tape t = new Tape()) {
            Params p = ppo.net().model().bind(t, params);
            t.backward(ppo.loss(t, p, eps, adv, ret, mb)[0]).writeTo(params, grads);
        }
        CpuStorage ps = (CpuStorage) params.flat().storage();
        double[] g = grads.flat().toDoubleArray();
        int checked = 0;
        boolean moved = false;
        for (int i : at) {
            if (skipZeros && g[i] == 0 && i % 3 != 0) continue;
            double x = ps.get(i), h = 1e-6;
            ps.set(i, x + h);
            double up = lossValue(ppo, eps, adv, ret, mb);
            ps.set(i, x - h);
            double down = lossValue(ppo, eps, adv, ret, mb);
            ps.set(i, x);
            double fd = (up - down) / (2 * h);
            assertEquals(fd, g[i], 1e-6 + 1e-5 * Math.abs(fd), "parameter " + i);
            moved |= g[i] != 0;
            checked++;
        }
        assertTrue(moved, "some checked parameter reaches the loss");
        return checked;
    }

    static double lossValue(Ppo ppo, List<Ppo.Episode> eps, List<double[]> adv, List<double[]> ret, List<Integer> mb) {
        try (Tape t = new Tape(); Tape.NoGrad ng = t.noGrad()) {
            return ppo.loss(t, ppo.net().model().bind(t, ppo.params()), eps, adv, ret, mb)[0].value().item();
        }
    }

    /** Mean reward of {@code n} fresh episodes under the current policy. */
    static double meanReward(Ppo ppo, Env env, int n, long seed) {
        double s = 0;
        for (int i = 0; i < n; i++) s += ppo.rollout(env, RandomKey.of(seed).child(i), null, 10).totalReward();
        return s / n;
    }

    static void train(Ppo ppo, Env env, int iterations, int episodes) {
        for (int it = 0; it < iterations; it++) {
            List<Ppo.Episode> batch = new ArrayList<>();
            for (int i = 0; i < episodes; i++) batch.add(ppo.rollout(env, RandomKey.of(1000 + it).child(i), null, 10));
            ppo.update(batch, RandomKey.of(5000 + it));
        }
    }

    @Test void ppoFindsTheBestArm() {
        Env env = new Bandit();
        Ppo ppo = new Ppo(new ActorCritic(1, 16, env.actionSizes()), Ppo.Config.lhopt().withLr(3e-3), RandomKey.of(2), ScalarBackend.INSTANCE, DType.F32);
        double before = meanReward(ppo, env, 200, 77);
        train(ppo, env, 25, 32);
        double after = meanReward(ppo, env, 200, 78);
        assertTrue(before < 0.6, "a random policy earns about the mean arm: " + before);
        assertTrue(after > 0.85, "PPO picks arm 3 (0.9, +0.05 for the second head's choice): " + after);
    }

    @Test void theRecurrentPolicyRemembersTheCue() {
        Env env = new Memory(3);
        Ppo ppo = new Ppo(new ActorCritic(2, 16, env.actionSizes()), Ppo.Config.lhopt().withLr(3e-3), RandomKey.of(3), ScalarBackend.INSTANCE, DType.F32);
        double before = meanReward(ppo, env, 200, 91);
        train(ppo, env, 40, 32);
        double after = meanReward(ppo, env, 200, 92);
        assertTrue(before > 0.3 && before < 0.7, "chance: " + before);
        assertTrue(after > 0.9, "the cue seen two steps earlier is recalled: " + after);
    }

    /** Reward 1 each of 3 steps in episodes with a hidden bit set, 0 otherwise: only the critic's input shows the bit. */
    static final class Hidden implements Env {
        private boolean bit;
        private int k;

        @Override public int observationSize() { return 1; }
        @Override public int[] actionSizes() { return new int[] {2}; }
        @Override public double[] reset(RandomKey key) {
            bit = key.sample(org.lopt4j.tensor.Op.Dist.UNIFORM, DType.F64, 0) < 0.5;
            k = 0;
            return new double[] {1};
        }
        @Override public Step step(int[] action) { return new Step(new double[] {1}, bit ? 1 : 0, ++k == 3); }
        @Override public double[] privileged() { return new double[] {bit ? 1 : 0, 1}; }
    }

    /** The asymmetric critic's value head learns what only it sees; the symmetric one can only learn the mean. */
    @Test void theAsymmetricCriticPredictsWhatOnlyItSees() {
        double[] valueLoss = new double[2];
        for (int z : new int[] {0, 2}) {
            Env env = new Hidden();
            Ppo ppo = new Ppo(new ActorCritic(1, 16, env.actionSizes(), z), Ppo.Config.lhopt().withLr(3e-3), RandomKey.of(4), ScalarBackend.INSTANCE, DType.F32);
            Ppo.Stats last = null;
            for (int it = 0; it < 30; it++) {
                List<Ppo.Episode> batch = new ArrayList<>();
                for (int i = 0; i < 32; i++) batch.add(ppo.rollout(env, RandomKey.of(3000 + it).child(i), null, 10));
                if (z > 0) assertEquals(3, batch.get(0).privileged().length, "one critic input per observation");
                last = ppo.update(batch, RandomKey.of(7000 + it));
            }
            valueLoss[z / 2] = last.valueLoss();
        }
        assertTrue(valueLoss[0] > 0.3, "the symmetric critic cannot tell the episodes apart: value loss " + valueLoss[0]);
        assertTrue(valueLoss[1] < 0.25 * valueLoss[0], "the asymmetric critic reads the bit: value loss " + valueLoss[1] + " against " + valueLoss[0]);
    }

    @Test void asymmetricCriticGradientMatchesCentralDifferences() {
        Env env = new Hidden();
        Ppo ppo = new Ppo(new ActorCritic(1, 5, env.actionSizes(), 2), Ppo.Config.lhopt(), RandomKey.of(6), ScalarBackend.INSTANCE, DType.F64);
        List<Ppo.Episode> eps = new ArrayList<>();
        for (int i = 0; i < 3; i++) eps.add(ppo.rollout(env, RandomKey.of(40 + i), null, 10));
        SlabLayout l = ppo.params().layout();
        int from = l.offset(l.index("critic_p/w"));
        centralDifferences(ppo, eps, java.util.stream.IntStream.range(from, from + l.numel(l.index("critic_p/w"))).toArray(), false);
    }
}
