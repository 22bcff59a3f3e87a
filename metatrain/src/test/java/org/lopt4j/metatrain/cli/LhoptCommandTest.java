package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lopt4j lhopt train} trains, writes its outputs and resumes; {@code train --optimizer lhopt} runs its policy. */
class LhoptCommandTest {
    @Test void trainResumeAndUseThePolicy(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("c.json"), out = dir.resolve("run");
        Files.writeString(cfg, "{\"episodes\": 2, \"outerSteps\": 3, \"innerSteps\": 4, \"hidden\": 8, \"checkpointSeconds\": 0}");
        Cli r = Cli.run("lhopt", "train", "--config", cfg.toString(), "--iterations", "2", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"lhopt.safetensors", "metrics.jsonl", "reward.png", "schedule.png", "summary.txt"}) assertTrue(Files.exists(out.resolve(f)), f);
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertTrue(r.out().contains("--optimizer lhopt --policy"), r.out());
        assertEquals(1, Cli.run("lhopt", "train", "--config", cfg.toString(), "--iterations", "3", "--out", out.toString(), "--quiet").code(),
                "an existing run needs --resume");
        assertEquals(0, Cli.run("lhopt", "train", "--config", cfg.toString(), "--iterations", "3", "--out", out.toString(), "--quiet", "--resume").code());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        Path policy = out.resolve("lhopt.safetensors");
        Cli t = Cli.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "lhopt", "--policy", policy.toString(), "--steps", "40",
                "--out", dir.resolve("t").toString());
        assertEquals(0, t.code(), t.err());
        assertEquals(0, Cli.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "lhopt", "--steps", "40", "--out", dir.resolve("u").toString()).code(),
                "the shipped policy");
        assertEquals("--policy is an LHOPT policy: it goes with --optimizer lhopt",
                Cli.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "adam", "--policy", policy.toString(), "--out", dir.resolve("w").toString()).error());
        assertTrue(Cli.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "lhopt", "--policy", cfg.toString(), "--out",
                dir.resolve("v").toString()).code() != 0, "a file that is not a policy is refused");
        Path ev = dir.resolve("eval");
        Cli e = Cli.run("lhopt", "eval", "--policy", policy.toString(), "--task", "ImageMLP_FashionMnist8_Relu32", "--steps", "32", "--seeds", "1",
                "--out", ev.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("best of the 35 AdamW runs") && e.out().contains("speedup"), e.out());
        for (String f : new String[] {"lhopt-eval.json", "curves.png", "lr.png", "summary.txt"}) assertTrue(Files.exists(ev.resolve(f)), f);
        assertEquals(0, Cli.run("lhopt", "--help").code());
    }
}
