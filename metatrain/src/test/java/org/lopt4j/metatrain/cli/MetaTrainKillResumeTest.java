package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * {@code lopt4j metatrain} killed with SIGKILL in the middle of a run, then {@code --resume}d, reaches the θ of an
 * uninterrupted run bit for bit, and the command line reports bad configs.
 */
class MetaTrainKillResumeTest {
    /** Bit for bit, across processes too (see MetaTrainerTest.RESUME_TOL). */
    static final double RESUME_TOL = 0;

    static final String CONFIG = """
            {"truncLength": 5, "schedule": "constant:12", "initialOffset": 12, "problems": 1, "estimators": 2,
             "outerSteps": 8, "evalSteps": 10, "evalSeeds": 1, "checkpointSeconds": 0}
            """;

    static double[] theta(Path ckpt) throws Exception {
        return SafeTensors.read(ckpt, org.lopt4j.tensor.Backends.best()).tensors().get("outer/theta_f64").toDoubleArray();
    }

    static int step(Path ckpt) {
        try {
            return Integer.parseInt(SafeTensors.header(ckpt).metadata().get("step"));
        } catch (Exception e) {
            return -1;                                                     // not there yet (renames are atomic, so never half-written)
        }
    }

    @Test void killedRunResumesToTheUninterruptedTheta(@TempDir Path dir) throws Exception { killedRunResumes(CONFIG, dir); }

    /** The same over a two-family mixture whose workers are re-created (and draw new tasks) as it runs. */
    @Test void killedMixtureRunResumesToTheUninterruptedTheta(@TempDir Path dir) throws Exception {
        killedRunResumes(CONFIG.replace("{", "{\"task\": \"mix:mlp_family,conv_family\", \"resampleFrequency\": 3, "), dir);
    }

    void killedRunResumes(String config, Path dir) throws Exception {
        Path cfg = dir.resolve("tiny.json");
        Files.writeString(cfg, config);
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        assertEquals(0, Main.run("metatrain", "--config", cfg.toString(), "--out", straight.toString(), "--no-eval", "--quiet"));

        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "metatrain", "--config", cfg.toString(), "--out", killed.toString(), "--no-eval", "--quiet", "--outer-steps", "1000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path ckpt = killed.resolve(MetaCheckpoint.FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (step(ckpt) < 3 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the child should still be running: " + Files.readString(dir.resolve("child.log")));
        p.destroyForcibly();                                               // SIGKILL on Linux
        p.waitFor(30, TimeUnit.SECONDS);
        int at = step(ckpt);
        assertTrue(at >= 3, "checkpoint step " + at);
        // the killed run was started with a different outer-step count; resume it with the config's own
        Files.writeString(cfg, config.replace("\"outerSteps\": 8", "\"outerSteps\": 1000"));
        assertEquals(0, Main.run("metatrain", "--config", cfg.toString(), "--out", killed.toString(), "--no-eval", "--quiet", "--resume",
                "--stop-after", Integer.toString(Math.max(0, 8 - at))));
        assertEquals(8, step(ckpt));
        double[] want = theta(straight.resolve(MetaCheckpoint.FILE)), got = theta(ckpt);
        for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], RESUME_TOL, "θ[" + j + "]");
    }

    @Test void badConfigsAreReported(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, "{\"problemz\": 3}");
        assertEquals(1, Main.run("metatrain", "--config", cfg.toString(), "--out", dir.resolve("o").toString(), "--quiet"));
        Files.writeString(cfg, "{\"estimator\": \"sgd\"}");
        assertEquals(1, Main.run("metatrain", "--config", cfg.toString(), "--out", dir.resolve("o2").toString(), "--quiet"));
        assertEquals(1, Main.run("metatrain", "--out", dir.resolve("o3").toString(), "--resume", "--quiet"));
    }
}
