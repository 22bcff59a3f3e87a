package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lopt4j gpt dataset|train|eval|sample} on a small dataset: outputs written, resume, sampled nets readable. */
class GptCommandTest {
    @Test void datasetTrainEvalSample(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data"), model = dir.resolve("model"), cfg = dir.resolve("c.json");
        Cli d = Cli.run("gpt", "dataset", "--runs", "8", "--checkpoints", "6", "--epochs", "1", "--held-out", "2", "--out", data.toString(), "--quiet");
        assertEquals(0, d.code(), d.err());
        Files.writeString(cfg, "{\"dim\": 16, \"layers\": 1, \"heads\": 2, \"batch\": 8, \"samplingSteps\": 5, \"checkpointSeconds\": 0}");
        Cli t = Cli.run("gpt", "train", "--data", data.toString(), "--config", cfg.toString(), "--steps", "4", "--out", model.toString(), "--quiet");
        assertEquals(0, t.code(), t.err());
        for (String f : new String[] {"gpt.safetensors", "metrics.jsonl", "loss.png", "summary.txt"}) assertTrue(Files.exists(model.resolve(f)), f);
        assertTrue(t.out().contains("no change"), t.out());
        assertEquals(1, Cli.run("gpt", "train", "--data", data.toString(), "--config", cfg.toString(), "--steps", "6", "--out", model.toString(), "--quiet").code(),
                "an existing run needs --resume");
        assertEquals(0, Cli.run("gpt", "train", "--data", data.toString(), "--config", cfg.toString(), "--steps", "6", "--out", model.toString(), "--quiet", "--resume").code());
        assertEquals(6, Files.readAllLines(model.resolve("metrics.jsonl")).size());
        Path ckpt = model.resolve("gpt.safetensors"), ev = dir.resolve("eval");
        Cli e = Cli.run("gpt", "eval", "--model", ckpt.toString(), "--data", data.toString(), "--nets", "2", "--prompts", "3", "--out", ev.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("prompt alignment R^2"), e.out());
        for (String f : new String[] {"eval.json", "alignment.png", "summary.txt"}) assertTrue(Files.exists(ev.resolve(f)), f);
        Path net = dir.resolve("s/net.safetensors"), net2 = dir.resolve("s/net2.safetensors");
        Cli s = Cli.run("gpt", "sample", "--model", ckpt.toString(), "--data", data.toString(), "--prompt-loss", "0.5", "--from", "run:1", "--out", net.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("update 1: test loss"), s.out());
        Cli again = Cli.run("gpt", "sample", "--model", ckpt.toString(), "--data", data.toString(), "--prompt-loss", "0.5", "--from", net.toString(),
                "--recursive", "2", "--out", net2.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("update 2"), again.out());
        Cli bad = Cli.run("gpt", "sample", "--model", ckpt.toString(), "--data", data.toString(), "--prompt-loss", "0.5", "--from", cfg.toString(), "--out", net2.toString());
        assertEquals(1, bad.code(), "a --from file that is not a net is refused");
        assertEquals(1, Cli.run("gpt", "eval", "--model", cfg.toString(), "--data", data.toString(), "--out", dir.resolve("e2").toString()).code(), "not a model");
        assertEquals(0, Cli.run("gpt", "--help").code());
    }
}
