package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * A run directory across processes: a second run on it is refused naming the first one's process; SIGTERM ends a run
 * with a checkpoint of its last outer step, and the resumed run (other checkpoint interval and thread count) reaches
 * the θ of an uninterrupted run bit for bit with every step once in metrics.jsonl; a finished run extends.
 */
class RunDirectoryTest {
    static final String CONFIG = MetaTrainKillResumeTest.CONFIG;

    static long rows(Path metrics) {
        try {
            return Files.readAllLines(metrics).stream().filter(l -> l.endsWith("}")).count();
        } catch (Exception e) {
            return 0;
        }
    }

    @Test void sigtermCheckpointsAndTheResumedRunMatchesAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("tiny.json"), CONFIG), run = dir.resolve("run"), log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "metatrain",
                "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet", "--outer-steps", "1000", "--checkpoint-seconds", "3600"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path metrics = run.resolve("metrics.jsonl"), ckpt = run.resolve(MetaCheckpoint.FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (rows(metrics) < 2 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the child should still be running: " + Files.readString(log));
        Cli second = Cli.run("metatrain", "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet");
        assertEquals(1, second.code());
        assertTrue(second.error().startsWith("--out " + run + " is in use by process " + p.pid() + " (lopt4j metatrain"), second.err());
        assertTrue(!Files.exists(ckpt), "with --checkpoint-seconds 3600 only the stop writes a checkpoint");
        p.destroy();                                                       // SIGTERM on Linux
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child should stop after its current outer step");
        int at = MetaTrainKillResumeTest.step(ckpt);
        assertTrue(Files.readString(log).contains("stopped at outer step " + at + ": checkpoint " + ckpt), Files.readString(log));
        assertEquals(at, rows(metrics), "the stop's checkpoint holds every step the metrics show");
        int end = at + 2;

        Cli resumed = Cli.run("metatrain", "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet", "--resume",
                "--outer-steps", Integer.toString(end), "--checkpoint-seconds", "0", "--threads", "1");
        assertEquals(0, resumed.code(), resumed.err());
        Path straight = dir.resolve("straight");
        assertEquals(0, Cli.run("metatrain", "--config", cfg.toString(), "--out", straight.toString(), "--no-eval", "--quiet",
                "--outer-steps", Integer.toString(end)).code());
        double[] want = MetaTrainKillResumeTest.theta(straight.resolve(MetaCheckpoint.FILE)), got = MetaTrainKillResumeTest.theta(ckpt);
        for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], 0, "θ[" + j + "]");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(end, lines.size(), lines.toString());
        for (int i = 0; i < end; i++) assertEquals(i, json.readTree(lines.get(i)).get("step").asInt(), "row " + i);

        assertEquals(0, Cli.run("metatrain", "--config", cfg.toString(), "--out", straight.toString(), "--no-eval", "--quiet", "--resume",
                "--outer-steps", Integer.toString(end + 1)).code());
        assertEquals(end + 1, MetaTrainKillResumeTest.step(straight.resolve(MetaCheckpoint.FILE)));
        assertEquals(end + 1, Files.readAllLines(straight.resolve("metrics.jsonl")).size());
        Cli other = Cli.run("metatrain", "--config", cfg.toString(), "--out", straight.toString(), "--no-eval", "--quiet", "--resume", "--seed", "5");
        assertEquals(1, other.code());
        assertTrue(other.error().contains("different config: seed 0 in the checkpoint, 5 now"), other.err());
    }

    @Test void aStepThatWouldMakeThetaNonFiniteIsSkippedAndCounted(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("tiny.json"), CONFIG), run = dir.resolve("run");
        Cli r = Cli.run("metatrain", "--config", cfg.toString(), "--out", run.toString(), "--no-eval", "--quiet", "--outer-steps", "2", "--outer-lr", "1e300");
        assertEquals(0, r.code(), r.err());
        Path ckpt = run.resolve(MetaCheckpoint.FILE);
        assertEquals("2", SafeTensors.header(ckpt).metadata().get("skipped_steps"));
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) assertTrue(line.contains("\"skipped\":true"), line);
        for (double v : MetaTrainKillResumeTest.theta(ckpt)) assertTrue(Double.isFinite(v));
        Path init = dir.resolve("init");
        assertEquals(0, Cli.run("metatrain", "--config", cfg.toString(), "--out", init.toString(), "--no-eval", "--quiet", "--outer-steps", "1",
                "--outer-lr", "1e-300").code());
        double[] start = MetaTrainKillResumeTest.theta(init.resolve(MetaCheckpoint.FILE)), kept = MetaTrainKillResumeTest.theta(ckpt);
        for (int j = 0; j < start.length; j++) assertEquals(start[j], kept[j], 1e-290, "θ stays at its initialization");

        Path st = dir.resolve("self");
        Path scfg = Files.writeString(dir.resolve("self.json"), SelfTrainCommandTest.CONFIG);
        Cli s = Cli.run("selftrain", "--config", scfg.toString(), "--out", st.toString(), "--no-eval", "--quiet", "--outer-steps", "2", "--step-mult", "1e300");
        assertEquals(0, s.code(), s.err());
        long skipped = Long.parseLong(SafeTensors.header(st.resolve("selftrain.safetensors")).metadata().get("skipped_updates"));
        assertTrue(skipped > 0, "skipped " + skipped);
        assertTrue(s.out().contains("member updates skipped because they would have made θ non-finite: " + skipped), s.out());
    }
}
