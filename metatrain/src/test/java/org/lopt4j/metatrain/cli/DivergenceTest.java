package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** A diverged run is reported as diverged: train stops with exit code 3, eval names no winner over it. */
class DivergenceTest {
    static final String TASK = CommandErrorsTest.TASK;
    @TempDir Path dir;

    @Test void trainStopsAtTheStepItsLossDiverges() throws Exception {
        Path out = dir.resolve("t");
        Cli r = Cli.run("train", "--task", TASK, "--optimizer", "sgd", "--lr", "1e4", "--steps", "50", "--log-every", "100", "--out", out.toString());
        assertEquals(TrainCommand.DIVERGED, r.code(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("diverged at step ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        int step = Integer.parseInt(line.split(" ")[3].replace(":", ""));
        assertTrue(step > 0 && step < 49, line);
        List<String> rows = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(rows.get(rows.size() - 1).startsWith("{\"step\":" + step + ","), "the metrics end at the diverged step: " + rows);
        assertTrue(Files.size(out.resolve("loss.png")) > 0);

        Cli kept = Cli.run("train", "--task", TASK, "--optimizer", "sgd", "--lr", "1e4", "--steps", "50", "--log-every", "100", "--keep-going",
                "--out", out.toString());
        assertEquals(TrainCommand.DIVERGED, kept.code());
        assertTrue(kept.out().contains(line + " (kept going: --keep-going)"), kept.out());
        List<String> all = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(all.get(all.size() - 1).startsWith("{\"step\":49,"), all.toString());

        Cli calm = Cli.run("train", "--task", TASK, "--optimizer", "adam", "--lr", "1e-3", "--steps", "20", "--out", out.toString());
        assertEquals(0, calm.code(), calm.out());
        assertFalse(calm.out().contains("diverged"));
    }

    @Test void evalMarksADivergedAdamRowAndDeclaresNoWinnerOverIt() throws Exception {
        Path theta = dir.resolve("lopt.safetensors"), out = dir.resolve("e");
        Files.write(theta, org.lopt4j.learned.Pretrained.class.getResourceAsStream(org.lopt4j.learned.Pretrained.resource("small_fc_lopt")).readAllBytes());
        Cli r = Cli.run("eval", "--lopt", theta.toString(), "--steps", "30", "--seeds", "1", "--adam-lr", "1e3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("adam lr 1000.0") && summary.matches("(?s).*adam lr 1000\\.0 +diverged.*"), summary);
        assertTrue(summary.contains("no winner: Adam lr 1000.0 diverged"), summary);
        assertFalse(summary.contains("BEATS") || summary.contains("does not beat"), summary);
        assertEquals(r.out(), summary, "what is printed is what is written");
        assertTrue(Files.size(out.resolve("eval.png")) > 0);
    }

    @Test void evalReadsWhichLearnedOptimizerALoptFileHolds() throws Exception {
        LearnedOptimizer<?> lo = LearnedOptimizers.named("mlp_lopt");
        Path theta = dir.resolve("mlp.safetensors"), out = dir.resolve("e");
        LearnedCheckpoint.save(theta, lo, lo.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE), null);
        Cli r = Cli.run("eval", "--lopt", theta.toString(), "--steps", "5", "--seeds", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nmlp_lopt "), r.out());
    }
}
