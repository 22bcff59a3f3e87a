package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Refused commands: one line in the user's words, exit 1 (2 for what picocli parses), and nothing in --out touched. */
class CommandErrorsTest {
    static final String TASK = "ImageMLP_FashionMnist8_Relu32";
    @TempDir Path dir;

    private String out() { return dir.resolve("out").toString(); }

    @Test void countsAndIntervalsAreCheckedInTheUsersWords() throws Exception {
        Cli r = Cli.run("metatrain", "--outer-steps", "-2", "--out", out());
        assertEquals(1, r.code());
        assertEquals("lopt4j: --outer-steps must be positive, got -2\n", r.err());
        assertEquals("--outer-steps must be positive, got 0", Cli.run("metatrain", "--outer-steps", "0", "--out", out()).error());
        assertEquals("--checkpoint-seconds must be ≥ 0, got -1.0", Cli.run("metatrain", "--checkpoint-seconds", "-1", "--out", out()).error());
        assertEquals("--checkpoint-seconds must be ≥ 0, got NaN", Cli.run("selftrain", "--checkpoint-seconds", "NaN", "--out", out()).error());
        assertEquals("--outer-lr must be a finite number above 0, got Infinity", Cli.run("metatrain", "--outer-lr", "Infinity", "--out", out()).error());
        Path cfg = Files.writeString(dir.resolve("c.json"), "{\"outerSteps\": -2}");
        assertEquals("config " + cfg + ": outerSteps must be positive, got -2", Cli.run("metatrain", "--config", cfg.toString(), "--out", out()).error());
        assertEquals("config " + cfg + ": outerSteps must be positive, got -2", Cli.run("selftrain", "--config", cfg.toString(), "--out", out()).error());
        assertFalse(Files.exists(dir.resolve("out")), "a refused command creates no --out");
    }

    @Test void learningRatesMustBeFiniteAndPyloOptionsOnlyForLearnedOptimizers() {
        assertEquals("--lr must be a finite number above 0, got Infinity", Cli.run("train", "--task", TASK, "--lr", "Infinity", "--out", out()).error());
        assertEquals("--lr must be a finite number above 0, got NaN", Cli.run("train", "--task", TASK, "--lr", "NaN", "--out", out()).error());
        assertEquals("--weight-decay, --max-grad-norm and --fan-in-reference are a learned optimizer's options; adam is not one",
                Cli.run("train", "--task", TASK, "--optimizer", "adam", "--weight-decay", "0.1", "--out", out()).error());
        assertEquals("max gradient norm must be a finite number ≥ 0 (0 = off), got -1.0",
                Cli.run("train", "--task", TASK, "--optimizer", "small_fc_lopt", "--max-grad-norm", "-1", "--out", out()).error());
        assertEquals("VeLO takes no max gradient norm (PyLO's VeLO_naive has none; VeLO clips gradients to ±1000)",
                Cli.run("train", "--task", TASK, "--optimizer", "velo_small", "--lopt-checkpoint", "../lopt/src/test/resources/fixtures/pylo_hub/velo",
                        "--max-grad-norm", "1", "--out", out()).error());
        assertEquals("--adam-lr must be a finite number above 0, got -1.0", Cli.run("eval", "--lopt", "x", "--adam-lr", "-1", "--out", out()).error());
        assertEquals("--adam-lr must be a finite number above 0, got NaN", Cli.run("eval", "--lopt", "x", "--adam-lr", "NaN", "--out", out()).error());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test void gptRefusalsNameWhatIsWrong() throws Exception {
        assertEquals("2000 runs x 200 checkpoints x 7960 parameters = 3,184,000,000 values: a dataset is one in-memory array of at most 2^31; use fewer --runs or --checkpoints",
                Cli.run("gpt", "dataset", "--size", "28", "--runs", "2000", "--out", out()).error());
        assertEquals("--size must be 14 (nano) or 28 (the paper's recipe), got 16", Cli.run("gpt", "dataset", "--size", "16", "--out", out()).error());
        Path missing = dir.resolve("nothing");
        assertTrue(Cli.run("gpt", "train", "--data", missing.toString(), "--out", out()).error().startsWith(missing.resolve("manifest.json").toString()),
                "a missing dataset names its manifest");
        assertEquals("--predict must be x0 or eps, got noise", Cli.run("gpt", "train", "--predict", "noise", "--out", out()).error());
        Path cfg = Files.writeString(dir.resolve("g.json"), "{\"dim\": 10}");
        assertEquals("config " + cfg + ": dim 10 is not divisible by 4 heads", Cli.run("gpt", "train", "--config", cfg.toString(), "--out", out()).error());
        assertFalse(Files.exists(dir.resolve("out")), "a refused command creates no --out");
    }

    @Test void anUnknownCommandIsAnErrorWithAHintEvenWithHelp() {
        Cli r = Cli.run("trian", "--help");
        assertEquals(2, r.code());
        assertEquals("unknown command 'trian' (see --help)", r.error());
        assertTrue(r.err().contains("Did you mean: lopt4j train"), r.err());
        assertEquals(2, Cli.run("nosuchcmd", "--help").code());
        assertEquals(2, Cli.run("nosuchcmd").code());
        assertEquals(0, Cli.run("--help").code());
    }

    @Test void aFileGivenAsOutIsNamedAndLeftAlone() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "mine");
        Cli r = Cli.run("train", "--task", TASK, "--steps", "2", "--out", f.toString());
        assertEquals(1, r.code());
        assertEquals("--out " + f + " is a file, not a directory", r.error());
        assertEquals("mine", Files.readString(f));
    }

    @Test void everyCommandRefusesADirectoryAnotherRunHolds() throws Exception {
        Path held = dir.resolve("held");
        Path theta = shippedTheta();
        try (RunLock lock = RunLock.acquire(held, "train")) {
            for (String[] args : new String[][] {
                    {"train", "--task", TASK, "--steps", "2"}, {"metatrain", "--outer-steps", "1"}, {"selftrain", "--outer-steps", "1"},
                    {"eval", "--lopt", theta.toString(), "--steps", "2", "--seeds", "1"}}) {
                String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--out", held.toString())).toArray(String[]::new);
                Cli r = Cli.run(all);
                assertEquals(1, r.code(), args[0]);
                assertTrue(r.error().startsWith("--out " + held + " is in use"), r.err());
            }
        }
    }

    /** The θ lopt4j ships, as a file. */
    Path shippedTheta() throws Exception {
        Path f = dir.resolve("shipped.safetensors");
        try (var in = org.lopt4j.learned.Pretrained.class.getResourceAsStream(org.lopt4j.learned.Pretrained.resource("small_fc_lopt"))) {
            Files.write(f, in.readAllBytes());
        }
        return f;
    }

    @Test void aThetaWithNaNIsRefusedByEveryCommandNamingTheTensor() throws Exception {
        LearnedOptimizer<?> lo = LearnedOptimizers.named("small_fc_lopt");
        Slab theta = lo.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE);
        String name = theta.layout().names().get(0);
        float[] v = theta.tensor(0).toFloatArray();
        v[0] = Float.NaN;
        theta.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, v, theta.layout().shape(0).dims()));
        Path f = dir.resolve("nan.safetensors");
        LearnedCheckpoint.save(f, lo, theta, null);
        String want = f + ": tensor 'theta/" + name + "' holds 1 non-finite value (NaN at index 0)";
        for (String[] args : new String[][] {
                {"train", "--task", TASK, "--optimizer", "small_fc_lopt", "--lopt-checkpoint", f.toString(), "--steps", "2"},
                {"metatrain", "--init-theta", f.toString(), "--outer-steps", "1"},
                {"selftrain", "--init-theta", f.toString(), "--outer-steps", "1"},
                {"eval", "--lopt", f.toString(), "--steps", "2"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--out", out())).toArray(String[]::new);
            Cli r = Cli.run(all);
            assertEquals(1, r.code(), args[0]);
            assertTrue(r.error().startsWith(want), args[0] + ": " + r.err());
        }
    }

    @Test void missingDataIsReportedBeforeTheRunDirectoryIsTouched() {
        String nodata = dir.resolve("nodata").toString();
        for (String[] args : new String[][] {
                {"train", "--task", "ImageMLP_FashionMnist_Relu128x128", "--steps", "2"},
                {"metatrain", "--task", "ImageMLP_FashionMnist_Relu128x128", "--outer-steps", "1"},
                {"selftrain", "--outer-steps", "1"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--data-dir", nodata, "--out", out()))
                    .toArray(String[]::new);
            Cli r = Cli.run(all);
            assertEquals(1, r.code(), args[0]);
            assertTrue(r.error().contains(nodata + "/fashion-mnist/train-images-idx3-ubyte.gz: no such file"), args[0] + ": " + r.err());
            assertFalse(Files.exists(dir.resolve("out")), args[0]);
        }
    }

    @Test void aRerunThatFailsLeavesThePreviousRunsOutputs() throws Exception {
        assertEquals(0, Cli.run("train", "--task", TASK, "--steps", "3", "--log-every", "1", "--out", out()).code());
        Path metrics = dir.resolve("out/metrics.jsonl");
        String before = Files.readString(metrics);
        assertEquals(3, before.lines().count());
        Cli r = Cli.run("train", "--task", "ImageMLP_FashionMnist_Relu128x128", "--data-dir", dir.resolve("nodata").toString(), "--steps", "3", "--out", out());
        assertEquals(1, r.code());
        assertTrue(r.error().contains(dir.resolve("nodata").toString()), r.err());
        assertEquals(1, Cli.run("train", "--task", TASK, "--optimizer", "nope", "--out", out()).code());
        assertEquals(before, Files.readString(metrics));
    }
}
