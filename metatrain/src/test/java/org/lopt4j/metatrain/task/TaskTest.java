package org.lopt4j.metatrain.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Adam;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

class TaskTest {
    /** Batched and one-by-one members differ only by matmul summation order. */
    static final double MEMBER_REL = 1e-5;

    static final Backend B = Backends.best();

    static Path data() {
        Path p = Path.of(System.getProperty("lopt4j.shared.dir", "../../shared"), "data");
        assumeTrue(Files.isDirectory(p), "shared data directory is absent");
        return p;
    }

    /** Member m of a population equals the same member run alone (same key, same batch). */
    static void populationMatchesOneByOne(Task t, int members) {
        RandomKey key = RandomKey.of(5);
        Slab pop = t.init(key, B, members), grads = pop.zerosLike();
        int n = Math.max(1, t.examples(Split.TRAIN));
        int[][] idx = new int[members][t.batchSize()];
        for (int m = 0; m < members; m++) for (int i = 0; i < t.batchSize(); i++) idx[m][i] = (37 * m + 11 * i) % n;
        Batch b = t.examples(Split.TRAIN) == 0 ? null : t.batch(B, Split.TRAIN, idx);
        double[] losses = t.lossAndGrad(pop, members, b, grads);
        for (int m = 0; m < members; m++) {
            int size = t.layout().size();
            Slab one = t.init(key, B, members);   // same init, then keep member m only
            Slab single = new Slab(t.layout(), one.flat().slice(0, m * size, (m + 1) * size, 1).contiguous());
            Slab g1 = single.zerosLike();
            Batch bm = b == null ? null : t.batch(B, Split.TRAIN, new int[][] {idx[m]});
            double l = t.lossAndGrad(single, 1, bm, g1)[0];
            assertEquals(losses[m], l, MEMBER_REL * Math.max(1, Math.abs(l)), t.name() + " member " + m + " loss");
            float[] gp = grads.flat().slice(0, m * size, (m + 1) * size, 1).toFloatArray(), gs = g1.flat().toFloatArray();
            for (int i = 0; i < gs.length; i++) assertEquals(gs[i], gp[i], 1e-4 * Math.max(1e-2, Math.abs(gs[i])), t.name() + " grad " + i);
        }
    }

    @Test void imageMlpPopulationIsBatchedAndExact() {
        populationMatchesOneByOne(Tasks.byName("ImageMLP_FashionMnist8_Relu32", null), 3);
        populationMatchesOneByOne(new ImageMlpTask("ae", "fashion_mnist", 8, new int[] {16, 4, 16}, ImageMlpTask.Activation.RELU, 32, true, null), 2);
        populationMatchesOneByOne(new QuadraticTask(10, RandomKey.of(1), B), 4);
        populationMatchesOneByOne(Tasks.byName("Conv_FashionMnist8_16x32", null), 2);
    }

    @Test void languageModelPopulationsAreBatchedAndExact() {
        Path d = data();
        populationMatchesOneByOne(new CharLmTask("lstm", CharLmTask.Kind.LSTM, 4, 6, 8, 1, d), 2);
        populationMatchesOneByOne(new CharLmTask("tf", CharLmTask.Kind.TRANSFORMER, 4, 6, 8, 2, null), 2);   // embedded corpus
    }

    @Test void fixedTasksHaveTheSpecParameterCounts() {
        assertEquals(2410, Tasks.byName("ImageMLP_FashionMnist8_Relu32", null).layout().paramCount());
        assertEquals(8554, Tasks.byName("ImageMLP_FashionMnist16_Relu32", null).layout().paramCount());
        Path d = Path.of(".");
        assertEquals(118282, Tasks.byName("ImageMLP_FashionMnist_Relu128x128", d).layout().paramCount());
        assertEquals(134794, Tasks.byName("ImageMLP_Mnist_128x128x128_Relu", d).layout().paramCount());
        assertEquals(209968, Tasks.byName("ImageMLPAE_Mnist_128x32x128_bs128", d).layout().paramCount());
    }

    @Test void initialLossIsLnTenAndAdamLearns() {
        Task t = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
        double[] first = new double[1];
        InnerTrainer.Result r = InnerTrainer.train(t, Adam.lo(1e-2), 300, 0, 2, B, (s, l) -> { if (s == 0) first[0] = l[0]; });
        assertEquals(Math.log(10), first[0], 0.15, "initial loss near ln 10");
        assertTrue(r.lastLosses()[0] < 0.9 && r.lastLosses()[1] < 0.9, "Adam at 300 steps: " + java.util.Arrays.toString(r.lastLosses()));
        assertEquals(t.normalize(Double.NaN), 1.5 * Math.log(10), 1e-12);
    }

    @Test void everyClassifierNormalizerCapsItsLossAtOneAndAHalfLnC() {
        double cap = 1.5 * Math.log(10);
        for (String name : new String[] {"ImageMLP_FashionMnist8_Relu32", "Conv_FashionMnist8_16x32"}) {
            Task t = Tasks.byName(name, null);
            assertEquals(0.7, t.normalize(0.7), 0, name);
            assertEquals(cap, t.normalize(2e32), 1e-12, name + ": a diverged run");
            assertEquals(cap, t.normalize(Double.POSITIVE_INFINITY), 1e-12, name);
            assertEquals(cap, t.normalize(Double.NaN), 1e-12, name);
            assertEquals(0, t.normalize(-1), 0, name);
        }
    }

    @Test void languageModelsAndFullResolutionTasksRun() {
        Path d = data();
        for (String name : new String[] {"RNNLM_TinyShakespeare_LSTM64_Seq32", "TransformerLM_TinyShakespeare_2L64_Seq32", "ImageMLPAE_Mnist_128x32x128_bs128"}) {
            Task t = Tasks.byName(name, d);
            InnerTrainer.Result r = InnerTrainer.train(t, Adam.lo(3e-3), 3, 1, 1, B, null);
            assertTrue(Double.isFinite(r.lastLosses()[0]), name);
        }
        Task lm = Tasks.byName("TransformerLM_TinyShakespeare_2L64_Seq32", d);
        double[] l0 = lm.loss(lm.init(RandomKey.of(2), B, 1), 1, lm.batch(B, Split.TRAIN, new int[][] {new int[16]}));
        // random logits of standard deviation s give about ln 65 + s²/2; the init keeps s around 1
        assertTrue(l0[0] > Math.log(65) - 0.2 && l0[0] < Math.log(65) + 1.5, "initial LM loss " + l0[0] + " near ln 65");
    }

    @Test void familiesAreDeterministic() {
        ImageMlpFamily f = ImageMlpFamily.small(null);
        assertEquals(f.sample(RandomKey.of(4)).name(), f.sample(RandomKey.of(4)).name());
        assertTrue(java.util.stream.IntStream.range(0, 20).mapToObj(i -> f.sample(RandomKey.of(i)).name()).distinct().count() > 3);
        QuadraticTask q = (QuadraticTask) new QuadraticFamily(5, B).sample(RandomKey.of(1));
        Slab p = q.init(RandomKey.of(0), B, 1);
        p.flat().slice(0, 0, 5, 1).assign(q.centre());
        assertArrayEquals(new double[] {0}, q.loss(p, 1, null), 1e-12);
    }
}
