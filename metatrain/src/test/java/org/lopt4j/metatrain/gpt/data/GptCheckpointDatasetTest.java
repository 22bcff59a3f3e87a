package org.lopt4j.metatrain.gpt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.run.RunLock;

/** The dataset on disk: bit-exact round trip, refusals with one clear line, cleaning and coeff. */
class GptCheckpointDatasetTest {
    static final TaskNet NET = TaskNet.nano();
    static final CheckpointRecipe RECIPE = CheckpointRecipe.nano().withEpochs(2).withCheckpoints(5).withTestImages(100).withSeed(3);
    static Checkpoints trained;

    @BeforeAll static void train() throws Exception {
        ImageDataset train = TaskData.train(14, null).slice(0, 1_280), test = TaskData.test(14, 100, null);
        trained = new PopulationTrainer(NET, RECIPE, train, test, 0, 6).run(i -> {});
    }

    static CheckpointDataset.Written write(Path dir, Checkpoints c) throws IOException {
        try (RunLock lock = RunLock.acquire(dir, "test")) { return CheckpointDataset.write(lock, NET, RECIPE, c, 2, 4, false); }
    }

    @Test void roundTripIsBitExact(@TempDir Path dir) throws Exception {
        write(dir, trained);
        CheckpointDataset d = CheckpointDataset.read(dir);
        assertTrue(Files.exists(dir.resolve("shard-00000.safetensors")) && Files.exists(dir.resolve("shard-00001.safetensors")), "6 runs in shards of 4");
        assertEquals(NET, d.net());
        assertEquals(RECIPE, d.recipe());
        assertEquals(6, d.runs());
        assertEquals(5, d.checkpointsPerRun());
        assertArrayEquals(new int[] {0, 1, 2, 3}, d.trainRuns());
        assertArrayEquals(new int[] {4, 5}, d.testRuns(), "the last runs are the test split");
        for (int r = 0; r < 6; r++) {
            assertEquals(r, d.runSeed(r));
            for (int k = 0; k < 5; k++) {
                int at = r * 5 + k;
                assertArrayEquals(java.util.Arrays.copyOfRange(trained.theta(), at * 2_080, (at + 1) * 2_080), d.theta(r, k));
                assertEquals(trained.iteration()[at], d.iteration(r, k));
                assertEquals(trained.trainLoss()[at], d.trainLoss(r, k));
                assertEquals(trained.trainErr()[at], d.trainErr(r, k));
                assertEquals(trained.testLoss()[at], d.testLoss(r, k));
                assertEquals(trained.testErr()[at], d.testErr(r, k));
            }
        }
        assertEquals(Cleaning.of(trained, RECIPE.seed()).coeff(), d.coeff());
        ImageDataset test = d.testImages(null);
        assertEquals(100, test.n());
        TaskNet.Metrics m = NET.evaluate(new float[][] {d.theta(5, 4)}, test);
        assertEquals(d.testLoss(5, 4), m.loss()[0], 1e-12, "the stored metric is the evaluator's on testImages");
        assertEquals(d.testErr(5, 4), m.err()[0], 1e-12);
    }

    @Test void damagedShardsAndManifestsAreRefusedWithOneLine(@TempDir Path dir) throws Exception {
        write(dir, trained);
        Path shard = dir.resolve("shard-00001.safetensors"), manifest = dir.resolve(CheckpointDataset.MANIFEST);
        byte[] good = Files.readAllBytes(shard), bad = good.clone();
        bad[bad.length - 100] ^= 1;
        Files.write(shard, bad);
        assertRefused(dir, "shard-00001.safetensors", "CRC-32C");
        Files.write(shard, java.util.Arrays.copyOf(good, good.length - 8));
        assertRefused(dir, "shard-00001.safetensors", "truncated");
        Files.delete(shard);
        assertRefused(dir, "shard-00001.safetensors", "no such file");
        Files.write(shard, good);
        CheckpointDataset.read(dir);
        String json = Files.readString(manifest);
        Files.writeString(manifest, json.replace("\"checkpoints_per_run\" : 5", "\"checkpoints_per_run\" : 7"));
        assertRefused(dir, "shard-00000.safetensors", "has shape [4, 5, 2080], expected [4, 7, 2080] from manifest.json");
        Files.writeString(manifest, json.replace("\"lopt4j-gpt-checkpoints\"", "\"something-else\""));
        assertRefused(dir, "manifest.json", "expected lopt4j-gpt-checkpoints version 1");
        Files.writeString(manifest, json);
        IOException again = assertThrows(IOException.class, () -> write(dir, trained));
        assertTrue(again.getMessage().contains("already there"), again.getMessage());
        try (RunLock held = RunLock.acquire(dir, "first writer")) {
            assertThrows(Exception.class, () -> RunLock.acquire(dir, "second writer"), "a second writer is refused");
        }
    }

    static void assertRefused(Path dir, String file, String what) {
        IOException e = assertThrows(IOException.class, () -> CheckpointDataset.read(dir));
        String msg = e.getMessage();
        assertTrue(msg.contains(file) && msg.contains(what), msg);
        assertEquals(1, msg.lines().count(), "one line: " + msg);
    }

    @Test void cleaningDropsBadRunsAndScalesByTheStdOfTheRest() {
        Checkpoints c = Checkpoints.allocate(10, 5, 3, 2_080);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < c.theta().length; i++) c.theta()[i] = (float) (rng.nextGaussian() * 0.3 + 0.01);
        c.theta()[1 * 3 * 2_080 + 2 * 2_080 + 17] = Float.NaN;
        c.theta()[3 * 3 * 2_080 + 5] = -10.5f;
        c.theta()[4 * 3 * 2_080 + 6] = 10f;   // exactly 10 is allowed
        Cleaning cl = Cleaning.of(c, 9);
        assertArrayEquals(new int[] {0, 2, 4}, cl.kept());
        assertEquals(java.util.List.of(11, 13), cl.dropped().stream().map(Cleaning.Dropped::run).toList(), "run indices (seeds) of the dropped runs");
        assertTrue(cl.dropped().get(0).reason().contains("non-finite"), cl.dropped().get(0).reason());
        assertTrue(cl.dropped().get(1).reason().contains("> 10"), cl.dropped().get(1).reason());
        assertEquals(9, cl.sampled(), "all 9 kept checkpoints (fewer than 25,000)");
        double sum = 0, sq = 0;
        int n = 0;
        for (int r : new int[] {0, 2, 4}) for (int i = r * 3 * 2_080; i < (r + 1) * 3 * 2_080; i++) { sum += c.theta()[i]; n++; }
        double mean = sum / n;
        for (int r : new int[] {0, 2, 4}) for (int i = r * 3 * 2_080; i < (r + 1) * 3 * 2_080; i++) sq += (c.theta()[i] - mean) * (c.theta()[i] - mean);
        double sigma = Math.sqrt(sq / n);
        assertEquals(sigma, cl.sigma(), 1e-12 * sigma);
        assertEquals(0.538 / sigma, cl.coeff(), 1e-12);
    }
}
