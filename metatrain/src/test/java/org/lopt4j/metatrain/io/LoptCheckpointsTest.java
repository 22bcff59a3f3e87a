package org.lopt4j.metatrain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.metatrain.cli.Main;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * {@code --lopt-checkpoint} and {@code eval --lopt} take every format by content: PyLO's hub directories (written
 * from PyLO's own model classes by lopt/src/test/python/make_pylo_hub_fixtures.py), a flax msgpack θ, lopt4j's files;
 * anything else, or a θ of another optimizer than {@code --optimizer}, is refused with one line naming what was expected.
 */
class LoptCheckpointsTest {
    @TempDir Path dir;

    static final Path HUB = Path.of("..", "lopt", "src", "test", "resources", "fixtures", "pylo_hub");

    /** {@code lopt4j train} for 10 steps (VeLO plans at least 10). */
    static int train(Path out, String... extra) {
        String[] base = {"train", "--task", "ImageMLP_FashionMnist8_Relu32", "--steps", "10", "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Main.run(all);
    }

    /** What a refused command printed on stderr. */
    static String refused(Path out, String... extra) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertEquals(1, train(out, extra));
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }

    @Test void pyloDirectoriesTrainWithoutNamingTheOptimizer() throws Exception {
        assertEquals(0, train(dir.resolve("mulo"), "--lopt-checkpoint", HUB.resolve("mulo").toString()));
        assertTrue(Files.exists(dir.resolve("mulo").resolve("metrics.jsonl")));
        assertEquals(0, train(dir.resolve("velo"), "--lopt-checkpoint", HUB.resolve("velo").toString()));
        assertEquals(0, Main.run("eval", "--lopt", HUB.resolve("mulo").toString(), "--steps", "3", "--seeds", "1", "--out", dir.resolve("eval").toString()));
    }

    @Test void mismatchesAndUnknownFormatsAreRefused() throws Exception {
        String m = refused(dir.resolve("a"), "--optimizer", "velo_small", "--lopt-checkpoint", HUB.resolve("mulo").toString());
        assertTrue(m.contains("holds a small_fc_lopt θ, not velo"), m);
        m = refused(dir.resolve("b"), "--optimizer", "adam", "--lopt-checkpoint", HUB.resolve("mulo").toString());
        assertTrue(m.contains("not a learned optimizer"), m);
        assertEquals(0, train(dir.resolve("c"), "--lopt-checkpoint", HUB.resolve("celo2").toString()));
        assertEquals(0, train(dir.resolve("c2"), "--optimizer", "elo_celo2", "--lopt-checkpoint", HUB.resolve("celo2").toString()));
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {(byte) 0x81, 1, 2});
        m = refused(dir.resolve("d"), "--optimizer", "small_fc_lopt", "--lopt-checkpoint", junk.toString());
        assertTrue(m.contains(junk.toString()), m);
    }

    @Test void flaxNeedsTheOptimizerNamedAndThenTrains() throws Exception {
        SmallFcLopt lo = (SmallFcLopt) LearnedOptimizers.named("small_fc_lopt");
        Slab theta = lo.initTheta(RandomKey.of(4), ScalarBackend.INSTANCE);
        FlaxCheckpointTest writer = new FlaxCheckpointTest();
        writer.dir = dir;
        Path flax = writer.write(lo, theta, true);
        assertArrayEquals(theta.flat().toDoubleArray(), LoptCheckpoints.load(flax, lo).theta().flat().toDoubleArray(), 0);
        String m = assertThrows(IOException.class, () -> LoptCheckpoints.load(flax, null)).getMessage();
        assertTrue(m.contains("names no learned optimizer"), m);
        assertEquals(0, train(dir.resolve("flax"), "--optimizer", "small_fc_lopt", "--lopt-checkpoint", flax.toString()));
        m = assertThrows(IOException.class, () -> LoptCheckpoints.load(flax, LearnedOptimizers.named("small_fc_lopt32"))).getMessage();
        assertTrue(m.contains("not a small_fc_lopt checkpoint"), m);
    }

    /** The last logged training loss of a run. */
    static double lastLoss(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(lines.size() - 1)).get("loss").asDouble();
    }

    @Test void pyloOptionsReachTheLearnedUpdate() throws Exception {
        assertEquals(0, train(dir.resolve("plain"), "--optimizer", "small_fc_lopt", "--log-every", "1"));
        assertEquals(0, train(dir.resolve("options"), "--optimizer", "small_fc_lopt", "--log-every", "1", "--lr", "3", "--weight-decay", "0.05",
                "--max-grad-norm", "0.5"));
        assertTrue(lastLoss(dir.resolve("plain")) != lastLoss(dir.resolve("options")), "the options change the run");
        Path config = dir.resolve("meta.json");
        Files.writeString(config, "{\"outerSteps\": 1, \"truncLength\": 4, \"problems\": 1, \"estimators\": 1, \"schedule\": \"constant:8\","
                + " \"loptOptions\": {\"lr\": 0.5, \"weightDecay\": 0.01, \"maxGradNorm\": 1.0}}");
        org.lopt4j.metatrain.outer.MetaConfig c = org.lopt4j.metatrain.outer.MetaConfig.read(config);
        assertEquals(new org.lopt4j.learned.UpdateOptions(0.5, 0.01, 1.0), c.loptOptions());
        assertEquals(0, Main.run("metatrain", "--config", config.toString(), "--out", dir.resolve("meta").toString(), "--no-eval", "--quiet"));
    }

    @Test void theShippedThetaLoadsFromTheLoptJarAlone() throws Exception {
        Pretrained p = Pretrained.shipped("small_fc_lopt");
        Path f = dir.resolve("shipped.safetensors");
        org.lopt4j.learned.LearnedCheckpoint.save(f, p.lopt(), p.theta(), null);
        assertArrayEquals(p.theta().flat().toDoubleArray(), LoptCheckpoints.theta(f, p.lopt(), ScalarBackend.INSTANCE).flat().toDoubleArray(), 0);
    }
}
