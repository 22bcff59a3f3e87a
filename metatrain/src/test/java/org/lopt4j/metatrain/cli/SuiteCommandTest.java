package org.lopt4j.metatrain.cli;

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
import org.lopt4j.metatrain.outer.AdamEnvelope;

/** {@code lopt4j suite}: per-task verdicts and speedups, a task without its data skipped, resume without rework. */
class SuiteCommandTest {
    @TempDir Path dir;

    static final String[] SMALL = {"suite", "--tasks", "ImageMLPAE_FashionMnist8_32x8x32,ImageMLP_Mnist_128x128x128_Relu", "--steps", "30",
            "--seeds", "1", "--lr-grid", "1e-3:1e-2:2", "--quiet", "--adam-cache", "none"};

    static String[] with(String... extra) {
        String[] all = java.util.Arrays.copyOf(SMALL, SMALL.length + extra.length);
        System.arraycopy(extra, 0, all, SMALL.length, extra.length);
        return all;
    }

    @Test void tasksGetVerdictsASkipAndResumeKeepsThem() throws Exception {
        Path out = dir.resolve("s");
        Cli r = Cli.run(with("--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("suite.json").toFile());
        JsonNode ae = json.get("tasks").get(0), big = json.get("tasks").get(1);
        assertEquals("ImageMLPAE_FashionMnist8_32x8x32", ae.get("task").asText());
        assertEquals(2, ae.get("adam_scores").size());
        assertTrue(ae.get("learned_score").asDouble() > 0 && ae.get("speedup").asDouble() >= 0, ae.toString());
        assertEquals(ae.get("learned_score").asDouble() < ae.get("adam_best_score").asDouble(), ae.get("beats_tuned_adam").asBoolean());
        assertTrue(big.get("skipped").asText().contains("--data-dir"), big.toString());
        assertTrue(r.out().contains("beats tuned Adam on") && r.out().contains("skipped"), r.out());
        assertTrue(Files.exists(out.resolve("suite.png")) && Files.exists(out.resolve("suite-ImageMLPAE_FashionMnist8_32x8x32.png")));
        byte[] before = Files.readAllBytes(out.resolve("suite.json"));
        assertEquals(1, Cli.run(with("--out", out.toString())).code(), "an existing suite.json needs --resume");
        assertEquals(0, Cli.run(with("--out", out.toString(), "--resume")).code());
        assertEquals(new String(before), Files.readString(out.resolve("suite.json")), "resume reran nothing");
        Cli other = Cli.run("suite", "--tasks", "ImageMLPAE_FashionMnist8_32x8x32", "--steps", "40", "--seeds", "1", "--lr-grid", "1e-3:1e-2:2",
                "--quiet", "--adam-cache", "none", "--out", out.toString(), "--resume");
        assertEquals(1, other.code());
        assertTrue(other.error().contains("was made with"), other.error());
        assertFalse(Cli.run("suite", "--tasks", "NoSuchTask", "--out", dir.resolve("x").toString()).code() == 0);
    }

    @Test void adamRunsComeFromTheCacheAndABadEntryIsRunAgain() throws Exception {
        Path cache = dir.resolve("cache");
        String[] args = {"suite", "--tasks", "ImageMLPAE_FashionMnist8_32x8x32", "--steps", "30", "--seeds", "1", "--lr-grid", "1e-3:1e-2:2",
                "--quiet", "--adam-cache", cache.toString(), "--out"};
        Cli first = Cli.run(append(args, dir.resolve("a").toString()));
        assertEquals(0, first.code(), first.err());
        List<Path> entries;
        try (var s = Files.list(cache)) { entries = s.sorted().toList(); }
        assertEquals(2, entries.size(), "one entry per learning rate");
        Path e0 = entries.get(0);
        Files.writeString(e0, Files.readString(e0).replaceAll("\\[.*", "[1,2"));   // truncated: the run is done again
        long lastModified1 = Files.getLastModifiedTime(entries.get(1)).toMillis();
        Cli second = Cli.run(append(args, dir.resolve("b").toString()));
        assertEquals(0, second.code(), second.err());
        assertEquals(lastModified1, Files.getLastModifiedTime(entries.get(1)).toMillis(), "the good entry was reused, not rewritten");
        JsonNode a = new ObjectMapper().readTree(dir.resolve("a/suite.json").toFile()).get("tasks").get(0);
        JsonNode b = new ObjectMapper().readTree(dir.resolve("b/suite.json").toFile()).get("tasks").get(0);
        assertEquals(a.get("adam_scores"), b.get("adam_scores"));
        assertEquals(a.get("speedup"), b.get("speedup"));
        assertTrue(new ObjectMapper().readTree(e0.toFile()).get("curve").size() == 30, "the bad entry was rewritten");
    }

    static String[] append(String[] a, String... extra) {
        String[] all = java.util.Arrays.copyOf(a, a.length + extra.length);
        System.arraycopy(extra, 0, all, a.length, extra.length);
        return all;
    }

    @Test void envelopeAndSpeedupFollowTasksMd() {
        double[] fast = {4, 2, 1, 1, 1}, slow = {4, 3, 3, 2, 2};
        AdamEnvelope env = AdamEnvelope.fromCurves(List.of(fast, slow));
        double[] f = AdamEnvelope.smoothed(fast);
        assertEquals(4, f[0]);
        assertEquals(0.95 * 4 + 0.05 * 2, f[1], 1e-12);
        for (int s = 0; s < 5; s++) assertEquals(Math.min(f[s], AdamEnvelope.smoothed(slow)[s]), env.losses()[s], 1e-12);
        assertEquals(0, env.stepsToReach(5), 0);
        assertEquals(1, env.stepsToReach(env.losses()[1]), 1e-12);
        double mid = (env.losses()[1] + env.losses()[2]) / 2;
        assertEquals(1.5, env.stepsToReach(mid), 1e-9);
        assertEquals(1.5 / 5, env.speedup(mid, 5), 1e-9);
        assertTrue(env.beyond(env.losses()[4] - 1e-6));
        double[] diverged = {4, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        assertEquals(env.losses()[4], AdamEnvelope.fromCurves(List.of(fast, slow, diverged)).losses()[4], 0);
    }
}
