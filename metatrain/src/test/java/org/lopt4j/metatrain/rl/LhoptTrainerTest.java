package org.lopt4j.metatrain.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LHOPT learner: a resumed run continues exactly, another config's checkpoint is refused, both task kinds run,
 * parallel actors give one run whatever their number.
 */
class LhoptTrainerTest {
    static LhoptConfig tiny(int iterations) {
        return LhoptConfig.defaults().with(Map.of("iterations", iterations, "episodes", 2, "outerSteps", 3, "innerSteps", 4, "hidden", 8,
                "checkpointSeconds", 0, "seed", 3));
    }

    @Test void aResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws IOException {
        LhoptTrainer straight = new LhoptTrainer(tiny(3), null);
        List<LhoptTrainer.Report> reports = new ArrayList<>();
        straight.run(-1, () -> false, null, reports::add);
        assertEquals(3, reports.size());
        for (LhoptTrainer.Report r : reports) assertTrue(Double.isFinite(r.meanReward()) && Double.isFinite(r.stats().policyLoss()), r.toString());
        Path ckpt = dir.resolve(LhoptTrainer.FILE);
        LhoptTrainer first = new LhoptTrainer(tiny(3), null);
        first.run(2, () -> false, ckpt, null);
        LhoptTrainer second = new LhoptTrainer(tiny(3), null);
        second.read(ckpt);
        assertEquals(2, second.iteration());
        second.run(-1, () -> false, ckpt, null);
        assertArrayEquals(straight.ppo().params().flat().toDoubleArray(), second.ppo().params().flat().toDoubleArray(), 0);
        assertArrayEquals(straight.normalizer().state(), second.normalizer().state(), 0);
        LhoptTrainer other = new LhoptTrainer(tiny(3).with(Map.of("hidden", 16)), null);
        assertTrue(assertThrows(IOException.class, () -> other.read(ckpt)).getMessage().contains("made with"));
    }

    @Test void imageMlpEpisodesRunOnTheEmbeddedData() {
        for (String kind : List.of("mlp8", "mlp14")) {
            LhoptTrainer t = new LhoptTrainer(tiny(1).with(Map.of("tasks", List.of(kind))), null);
            String drawn = t.problem(org.lopt4j.tensor.RandomKey.of(9)).name();
            assertTrue(drawn.contains(kind.equals("mlp14") ? "mnist14_" : "mnist8_"), kind + " drew " + drawn);
            Ppo.Episode e = t.ppo().rollout(t.env(true), org.lopt4j.tensor.RandomKey.of(9), t.normalizer(), 3);
            assertEquals(3, e.length());
            for (double r : e.rewards()) assertTrue(Double.isFinite(r) && Math.abs(r) <= 3, kind + ": reward " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("tasks", List.of("mlp99"))));
    }

    /** Episodes played on 2 or 3 actor threads: the same policy, normalizer and reports, bit for bit, and resumable. */
    @Test void anyNumberOfActorsGivesTheSameRun(@TempDir Path dir) throws IOException {
        LhoptConfig c = tiny(3).with(Map.of("episodes", 3, "tasks", List.of("nqm", "mlp8")));
        LhoptTrainer two = new LhoptTrainer(c.with(Map.of("actors", 2)), null), three = new LhoptTrainer(c.with(Map.of("actors", 3)), null);
        List<LhoptTrainer.Report> r2 = new ArrayList<>(), r3 = new ArrayList<>();
        two.run(-1, () -> false, null, r2::add);
        three.run(-1, () -> false, null, r3::add);
        assertArrayEquals(two.ppo().params().flat().toDoubleArray(), three.ppo().params().flat().toDoubleArray(), 0);
        assertArrayEquals(two.normalizer().state(), three.normalizer().state(), 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(r2.get(i).meanReward(), r3.get(i).meanReward(), 0);
            assertEquals(r2.get(i).lrLogRatio(), r3.get(i).lrLogRatio(), 0);
        }
        LhoptTrainer sequential = new LhoptTrainer(c, null);
        sequential.run(-1, () -> false, null, null);
        assertTrue(sequential.normalizer().state()[0] == two.normalizer().state()[0], "both normalizers saw every observation once");
        Path ckpt = dir.resolve(LhoptTrainer.FILE);
        LhoptTrainer first = new LhoptTrainer(c.with(Map.of("actors", 2)), null);
        first.run(1, () -> false, ckpt, null);
        LhoptTrainer resumed = new LhoptTrainer(c.with(Map.of("actors", 3)), null);
        resumed.read(ckpt);
        resumed.run(-1, () -> false, ckpt, null);
        assertArrayEquals(three.ppo().params().flat().toDoubleArray(), resumed.ppo().params().flat().toDoubleArray(), 0);
        LhoptTrainer one = new LhoptTrainer(c, null);
        assertTrue(assertThrows(IOException.class, () -> one.read(ckpt)).getMessage().contains("made with"), "a sequential run does not continue a parallel one");
    }

    /** With the asymmetric critic (the default): its weights are in the checkpoint, a resumed run continues exactly, and the policy runs. */
    @Test void anAsymmetricCriticRunResumesAndItsPolicyActs(@TempDir Path dir) throws IOException {
        LhoptConfig c = tiny(2);
        assertTrue(c.privilegedCritic());
        LhoptTrainer straight = new LhoptTrainer(c, null);
        straight.run(-1, () -> false, null, null);
        assertTrue(straight.ppo().params().layout().names().contains("critic_p/w"));
        Path ckpt = dir.resolve(LhoptTrainer.FILE);
        LhoptTrainer first = new LhoptTrainer(c, null);
        first.run(1, () -> false, ckpt, null);
        LhoptTrainer second = new LhoptTrainer(c, null);
        second.read(ckpt);
        second.run(-1, () -> false, ckpt, null);
        assertArrayEquals(straight.ppo().params().flat().toDoubleArray(), second.ppo().params().flat().toDoubleArray(), 0);
        assertTrue(assertThrows(IOException.class, () -> new LhoptTrainer(tiny(2).with(Map.of("privilegedCritic", false)), null).read(ckpt)).getMessage().contains("made with"));
        LhoptOptimizer policy = LhoptOptimizer.load(ckpt);
        org.lopt4j.tensor.Backend b = org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE;
        InnerProblem q = NoisyQuadratic.sample(org.lopt4j.tensor.RandomKey.of(4));
        org.lopt4j.tensor.Slab p = q.init(org.lopt4j.tensor.RandomKey.of(5), b), g = p.zerosLike();
        var s = policy.init(p);
        for (int i = 0; i < 40; i++) {
            q.lossAndGrad(p, g, org.lopt4j.tensor.RandomKey.of(6).fold(i));
            s = policy.update(s, p, g, org.lopt4j.optim.StepInfo.NONE);
        }
        assertTrue(Double.isFinite(q.evalLoss(p)), "the policy trains with its critic left out");
    }
}
