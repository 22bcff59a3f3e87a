package org.lopt4j.metatrain.gpt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.data.Datasets;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;

/** The batched float32 trainer against its float64 twin, and the checkpoint schedule. */
class GptPopulationTrainerTest {
    /** float32 against float64 over a few dozen SGD steps: rounding of 196-term sums and momentum, relative to the weights' scale. */
    static final double RTOL = 1e-4;
    static ImageDataset train, test;

    @BeforeAll static void load() throws Exception {
        train = Datasets.image("mnist", 14, Split.TRAIN, (java.nio.file.Path) null).slice(0, 1_280);
        test = Datasets.image("mnist", 14, Split.TEST, (java.nio.file.Path) null).slice(0, 100);
    }

    @Test void batchedRunMatchesTheFloat64Twin() {
        TaskNet net = TaskNet.nano();
        CheckpointRecipe recipe = CheckpointRecipe.nano().withEpochs(4).withCheckpoints(5).withTestImages(100);   // 10 steps per epoch: 3 lr changes, 4 shuffles
        PopulationTrainer fast = new PopulationTrainer(net, recipe, train, test, 7, 3);
        ReferenceRun slow = new ReferenceRun(net, recipe, train, 8);
        double worst = 0;
        for (int s = 0; s < 36; s++) {
            fast.step();
            slow.step();
            float[] a = fast.theta(1);
            double[] b = slow.theta();
            double scale = 0;
            for (double v : b) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
            assertTrue(worst < RTOL, "step " + s + ": max |fast − twin| / max|θ| = " + worst);
        }
        assertTrue(worst > 0, "the paths differ in rounding, so the comparison is not vacuous");
    }

    @Test void checkpointsFollowTheSchedule() {
        TaskNet net = TaskNet.nano();
        CheckpointRecipe recipe = CheckpointRecipe.nano().withEpochs(2).withCheckpoints(6).withTestImages(100);
        PopulationTrainer fast = new PopulationTrainer(net, recipe, train, test, 0, 2);
        Checkpoints c = fast.run(i -> {});
        assertEquals(20, fast.totalIters());
        for (int r = 0; r < 2; r++) {
            int[] it = java.util.Arrays.copyOfRange(c.iteration(), r * 6, r * 6 + 6);
            assertEquals(java.util.Arrays.toString(recipe.schedule(r, 20)), java.util.Arrays.toString(it));
            float[] init = net.init(recipe.rng(r, CheckpointRecipe.Stream.INIT));
            for (int i = 0; i < init.length; i++) assertEquals(init[i], c.theta()[r * 6 * init.length + i], "checkpoint 0 is the init");
            assertEquals(Math.log(10), c.testLoss()[r * 6], 0.2, "init loss near ln 10");
            assertTrue(c.testLoss()[r * 6 + 5] < c.testLoss()[r * 6], "training lowers the test loss");
        }
    }

    @Test void scheduleIsSortedDistinctWithInitAndFinal() {
        CheckpointRecipe recipe = CheckpointRecipe.nano();
        for (int run = 0; run < 20; run++) {
            int[] s = recipe.schedule(run, 2_340);
            assertEquals(50, s.length);
            assertEquals(0, s[0]);
            assertEquals(2_340, s[49]);
            for (int i = 1; i < s.length; i++) assertTrue(s[i] > s[i - 1], "sorted and distinct: " + java.util.Arrays.toString(s));
        }
        assertEquals(java.util.Arrays.toString(recipe.schedule(3, 2_340)), java.util.Arrays.toString(recipe.schedule(3, 2_340)), "seeded per run");
        assertTrue(!java.util.Arrays.equals(recipe.schedule(3, 2_340), recipe.schedule(4, 2_340)), "runs differ");
        int[] all = CheckpointRecipe.nano().withCheckpoints(11).schedule(0, 10);
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", java.util.Arrays.toString(all), "every iteration when K − 1 = total");
        assertEquals(0.1, recipe.lr(0), 1e-15);
        assertEquals(0.05 * (1 + Math.cos(Math.PI * 4 / 5)), recipe.lr(4), 1e-15);
    }
}
