package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.train.Comparison;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** {@code lopt4j compare}: a learned optimizer against grid-tuned baselines at several lengths, its report and refusals. */
class CompareCommandTest {
    static final String TASK = "FineTune_Conv8_Mnist0to4_Mnist5to9";

    @Test void comparesAtEveryLengthAndPicksTheBestLearningRate(@TempDir Path dir) throws Exception {
        LearnedOptimizer<?> lo = LearnedOptimizers.named("l3rs");
        Path theta = dir.resolve("lopt.safetensors");
        LearnedCheckpoint.save(theta, lo, lo.initTheta(RandomKey.of(0), ScalarBackend.INSTANCE), null);
        Path out = dir.resolve("out");
        assertEquals(0, Main.run("compare", "--task", TASK, "--optimizer", "l3rs", "--lopt-checkpoint", theta.toString(), "--steps", "6,12",
                "--lr-grid", "1e-3:1e-1:3", "--seeds", "2", "--out", out.toString(), "--quiet"));
        JsonNode j = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertEquals(2, j.get("lengths").size());
        for (JsonNode row : j.get("lengths")) {
            assertTrue(row.get("l3rs").get("score").isNumber());
            for (String name : List.of("adam", "momentum")) {
                JsonNode runs = row.get(name).get("runs");
                assertEquals(3, runs.size());
                double best = Double.POSITIVE_INFINITY, bestLr = 0;
                for (JsonNode r : runs) if (r.get("score").isNumber() && r.get("score").asDouble() < best) { best = r.get("score").asDouble(); bestLr = r.get("lr").asDouble(); }
                assertEquals(bestLr, row.get(name).get("best_lr").asDouble(), name + " at " + row.get("steps"));
                String verdict = row.get("l3rs_vs_" + name).asText();
                assertEquals(row.get("l3rs").get("score").asDouble() < best ? "beats" : "does not beat", verdict);
            }
        }
        JsonNode sch = j.get("schedule");
        assertEquals(6, sch.get("lambda").size(), "λ of the net's 6 tensors");
        assertEquals(6, sch.get("lambda").get(0).size(), "one λ per step of the first length");
        double mixture = 0;
        for (JsonNode q : sch.get("mu").get(0)) mixture += q.get(0).asDouble();
        assertEquals(1, mixture, 1e-6, "μ sums to 1");
        for (String f : List.of("summary.txt", "compare-6.png", "compare-12.png", "schedule.png", "mixture.png")) assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertTrue(Files.readString(out.resolve("summary.txt")).contains("12 steps: l3rs"));
    }

    @Test void anotherPretrainedBodyAndNoBaselines(@TempDir Path dir) throws Exception {
        LearnedOptimizer<?> lo = LearnedOptimizers.named("l3rs");
        Path theta = dir.resolve("lopt.safetensors");
        LearnedCheckpoint.save(theta, lo, lo.initTheta(RandomKey.of(0), ScalarBackend.INSTANCE), null);
        assertEquals(0, Main.run("pretrain", "--steps", "5", "--seed", "1", "--out", dir.resolve("body").toString(), "--quiet"));
        Path body = dir.resolve("body").resolve(org.lopt4j.metatrain.task.PretrainedConv.RESOURCE);
        Path out = dir.resolve("out");
        assertEquals(0, Main.run("compare", "--task", TASK, "--optimizer", "l3rs", "--lopt-checkpoint", theta.toString(), "--steps", "4",
                "--baselines", "none", "--body", body.toString(), "--seeds", "2", "--out", out.toString(), "--quiet"));
        JsonNode j = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertEquals(body.toString(), j.get("body").asText());
        assertTrue(j.get("task").asText().contains("[body "), j.get("task").asText());
        JsonNode row = j.get("lengths").get(0);
        assertTrue(row.get("l3rs").get("score").isNumber());
        assertFalse(row.has("adam"));
        assertEquals(1, Main.run("compare", "--task", TASK, "--baselines", "none", "--out", dir.resolve("o2").toString()));
        // the meta-training initialization is the θ file written from it
        Path fresh = dir.resolve("fresh");
        assertEquals(0, Main.run("compare", "--task", TASK, "--optimizer", "l3rs", "--fresh-theta", "--steps", "4", "--baselines", "none",
                "--body", body.toString(), "--seeds", "2", "--out", fresh.toString(), "--quiet"));
        assertEquals(row.get("l3rs").get("score").asDouble(), new ObjectMapper().readTree(fresh.resolve("compare.json").toFile())
                .get("lengths").get(0).get("l3rs").get("score").asDouble());
        assertEquals(1, Main.run("compare", "--task", TASK, "--optimizer", "l3rs", "--fresh-theta", "--lopt-checkpoint", theta.toString(), "--out", dir.resolve("o4").toString()));
        assertEquals(1, Main.run("compare", "--task", "ImageMLP_FashionMnist8_Relu32", "--body", body.toString(), "--out", dir.resolve("o3").toString()));
    }

    @Test void refusesBadInputBeforeAnyWork(@TempDir Path dir) {
        Path out = dir.resolve("out");
        assertEquals(1, Main.run("compare", "--task", TASK, "--lr-grid", "1e-3:1", "--out", out.toString()));
        assertEquals(1, Main.run("compare", "--task", TASK, "--lr-grid", "1:NaN:3", "--out", out.toString()));
        assertEquals(1, Main.run("compare", "--task", TASK, "--baselines", "adam,nope", "--out", out.toString()));
        assertEquals(1, Main.run("compare", "--task", TASK, "--optimizer", "adam", "--out", out.toString()));
        assertEquals(1, Main.run("compare", "--task", TASK, "--steps", "0", "--out", out.toString()));
        assertFalse(Files.exists(out), "nothing written");
        assertEquals(0, Main.run("compare", "--help"));
    }

    @Test void learningRateGridAndBestRun() {
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1}, Comparison.logSpaced(1e-3, 1, 4), 1e-15);
        var ok = new Comparison.Run(new double[0], 0.5, 0.6);
        var better = new Comparison.Run(new double[0], 0.4, 0.5);
        var diverged = new Comparison.Run(new double[0], Double.NaN, 0.1);
        assertEquals(1, Comparison.best(List.of(ok, better, diverged)));
        assertEquals(-1, Comparison.best(List.of(diverged)));
    }

    @Test void aFiniteRunThatPassesTenTimesItsInitialLossIsDiverged() {
        var blewUp = new Comparison.Run(new double[] {2.3, 23.5, 0.3}, 0.3, 0.35);        // 23.5 > 10 × 2.3, then recovered
        var spiky = new Comparison.Run(new double[] {2.3, 22.9, 0.5}, 0.5, 0.6);          // just under the limit
        assertTrue(blewUp.diverged(), "train's rule: above 10× the initial loss at some step");
        assertFalse(spiky.diverged());
        assertEquals(1, Comparison.best(List.of(blewUp, spiky)), "the lowest score of a diverged run does not count");
    }
}
