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

/** The LHOPT learner: a resumed run continues exactly, another config's checkpoint is refused, both task kinds run. */
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
        LhoptTrainer t = new LhoptTrainer(tiny(1).with(Map.of("tasks", List.of("mlp8"))), null);
        Ppo.Episode e = t.ppo().rollout(t.env(true), org.lopt4j.tensor.RandomKey.of(9), t.normalizer(), 3);
        assertEquals(3, e.length());
        for (double r : e.rewards()) assertTrue(Double.isFinite(r) && Math.abs(r) <= 3);
    }
}
