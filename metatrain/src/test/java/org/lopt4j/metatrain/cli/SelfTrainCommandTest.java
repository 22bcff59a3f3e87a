package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.selftrain.SelfTrainCheckpoint;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * {@code lopt4j selftrain}: killed with SIGKILL or stopped with SIGTERM mid-run and resumed, it ends with the members
 * of an uninterrupted run bit for bit and one metrics row per member and step; a finished run leaves its plots, θ and
 * summary.
 */
class SelfTrainCommandTest {
    static final String CONFIG = """
            {"members": 3, "pairs": 1, "unrollLength": 5, "outerSteps": 8, "evalEvery": 2, "evalProblems": 1, "evalLength": 4,
             "exploitEvery": 2, "seed": 3, "checkpointSeconds": 0, "finalSteps": 20, "finalSeeds": 1}
            """;

    static int step(Path ckpt) {
        try {
            return Integer.parseInt(SafeTensors.header(ckpt).metadata().get("step"));
        } catch (Exception e) {
            return -1;
        }
    }

    static double[] member(Path ckpt, int i) throws Exception {
        return SafeTensors.read(ckpt, Backends.named("scalar")).tensors().get("member/" + i + "/theta").toDoubleArray();
    }

    @Test void killedRunResumesToTheUninterruptedMembers(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("tiny.json");
        Files.writeString(cfg, CONFIG);
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", straight.toString(), "--quiet"));
        for (String f : List.of("metaloss.png", "lineage.png", "lopt.safetensors", "selftrain-summary.txt", "eval.png", "summary.txt")) {
            assertTrue(Files.size(straight.resolve(f)) > 0, f);
        }
        LearnedCheckpoint.load(straight.resolve("lopt.safetensors"), LearnedOptimizers.named("small_fc_lopt"), null, Backends.best());

        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "selftrain", "--config", cfg.toString(), "--out", killed.toString(), "--no-eval", "--quiet", "--outer-steps", "1000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path ckpt = killed.resolve(SelfTrainCheckpoint.FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (step(ckpt) < 3 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the child should still be running: " + Files.readString(dir.resolve("child.log")));
        p.destroyForcibly();                                               // SIGKILL on Linux
        p.waitFor(30, TimeUnit.SECONDS);
        int at = step(ckpt);
        assertTrue(at >= 3, "checkpoint step " + at);
        // the killed run was started with another outer-step count: resume it with the config's own
        Files.writeString(cfg, CONFIG.replace("\"outerSteps\": 8", "\"outerSteps\": 1000"));
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", killed.toString(), "--quiet", "--resume",
                "--stop-after", Integer.toString(Math.max(0, 8 - at))));
        assertEquals(8, step(ckpt));
        for (int i = 0; i < 3; i++) {
            double[] want = member(straight.resolve(SelfTrainCheckpoint.FILE), i), got = member(ckpt, i);
            for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], 0, "member " + i + " θ[" + j + "]");
        }
        ObjectMapper json = new ObjectMapper();
        Set<String> rows = new HashSet<>();
        for (String line : Files.readAllLines(killed.resolve("metrics.jsonl"))) {
            JsonNode r = json.readTree(line);
            assertTrue(rows.add(r.get("step").asInt() + "/" + r.get("member").asInt()), "one row per member and step: " + line);
        }
        assertEquals(8 * 3, rows.size());
    }

    @Test void sigtermCheckpointsAndTheResumedRunMatchesAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("tiny.json"), CONFIG), run = dir.resolve("run"), log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "selftrain",
                "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet", "--outer-steps", "1000", "--checkpoint-seconds", "3600"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path metrics = run.resolve("metrics.jsonl"), ckpt = run.resolve(SelfTrainCheckpoint.FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (RunDirectoryTest.rows(metrics) < 3 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the child should still be running: " + Files.readString(log));
        p.destroy();                                                       // SIGTERM on Linux
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child should stop after its current outer step");
        int at = step(ckpt);
        assertTrue(Files.readString(log).contains("stopped at outer step " + at + ": checkpoint " + ckpt), Files.readString(log));
        assertEquals(3L * at, RunDirectoryTest.rows(metrics));
        String end = Integer.toString(at + 1);
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet", "--resume",
                "--outer-steps", end, "--checkpoint-seconds", "0"));
        Path straight = dir.resolve("straight");
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", straight.toString(), "--no-eval", "--quiet", "--outer-steps", end));
        for (int i = 0; i < 3; i++) {
            double[] want = member(straight.resolve(SelfTrainCheckpoint.FILE), i), got = member(ckpt, i);
            for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], 0, "member " + i + " θ[" + j + "]");
        }
        assertEquals(3L * (at + 1), RunDirectoryTest.rows(metrics));
    }

    @Test void refusesToOverwriteARunAndReportsBadConfigs(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("tiny.json");
        Files.writeString(cfg, CONFIG.replace("\"outerSteps\": 8", "\"outerSteps\": 1"));
        Path out = dir.resolve("o");
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", out.toString(), "--quiet", "--no-eval"));
        assertEquals(1, Main.run("selftrain", "--config", cfg.toString(), "--out", out.toString(), "--quiet", "--no-eval"));
        assertEquals(1, Main.run("selftrain", "--config", cfg.toString(), "--members", "4", "--out", out.toString(), "--quiet", "--resume"));
        Files.writeString(cfg, "{\"outerRule\": \"sgd\"}");
        assertEquals(1, Main.run("selftrain", "--config", cfg.toString(), "--out", dir.resolve("o2").toString(), "--quiet"));
        assertEquals(1, Main.run("selftrain", "--out", dir.resolve("o3").toString(), "--resume", "--quiet"));
        assertEquals(0, Main.run("selftrain", "--help"));
    }
}
