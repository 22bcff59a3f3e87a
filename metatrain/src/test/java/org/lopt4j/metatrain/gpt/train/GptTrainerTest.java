package org.lopt4j.metatrain.gpt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;

class GptTrainerTest {
    private static final int[] LAYERS = {60, 6, 18, 3};    // a 10-6-3 net: P = 87
    private static final Backend B = Backends.best();

    /**
     * Synthetic runs with a known structure: x0 = x_prev shrunk towards a fixed direction by the metric gap, so the
     * mapping is learnable from (x_prev, l_target, l_prev).
     */
    static final class Synthetic implements CheckpointPairs {
        final float[] dir = new float[87];
        Synthetic() {
            SplittableRandom r = new SplittableRandom(1);
            for (int j = 0; j < dir.length; j++) dir[j] = (float) r.nextGaussian();
        }
        @Override public int parameters() { return 87; }
        @Override public int[] layerSizes() { return LAYERS; }
        @Override public Pair sample(RandomGenerator rng) {
            float[] prev = new float[87], x0 = new float[87];
            double lPrev = 2 * rng.nextDouble(), lTarget = lPrev * rng.nextDouble();
            for (int j = 0; j < 87; j++) {
                prev[j] = (float) (0.5 * rng.nextGaussian());
                x0[j] = (float) (prev[j] + (lPrev - lTarget) * dir[j]);
            }
            return new Pair(x0, prev, lTarget, lPrev);
        }
    }

    private static GptTrainConfig small(int steps) {
        return GptTrainConfig.nano().with(Map.of("dim", 32, "layers", 2, "heads", 2, "chunk", 32, "batch", 16, "steps", steps, "lr", 3e-3, "samplingSteps", 10));
    }

    @Test void untrainedModelPredictsNoChange() {
        GptTrainer t = new GptTrainer(small(10), LAYERS, B);
        Synthetic s = new Synthetic();
        CheckpointPairs.Pair a = s.sample(new SplittableRandom(3)), b = s.sample(new SplittableRandom(4));
        float[][] prev = {a.xPrev(), b.xPrev()}, xt = {a.x0(), new float[87]};
        float[][] x0 = t.predictor(false, prev, new double[] {0.1, 0.2}, new double[] {1, 2}).predict(xt, 500, 0);
        assertArrayEquals(prev[0], x0[0], 0f);
        assertArrayEquals(prev[1], x0[1], 0f);
        float[][] sampled = t.sample(true, prev, new double[] {0.1, 0.2}, new double[] {1, 2}, 7);
        assertArrayEquals(prev[0], sampled[0], 1e-5f, "sampling an untrained model returns x_prev");
    }

    @Test void learnsBelowTheNoChangeBaseline() {
        GptTrainer t = new GptTrainer(small(150), LAYERS, B);
        Synthetic s = new Synthetic();
        double first = 0, last = 0, noChange = 0;
        for (int i = 0; i < 150; i++) {
            GptTrainer.Report r = t.trainStep(s);
            if (i < 10) first += r.loss() / 10;
            if (i >= 140) { last += r.loss() / 10; noChange += r.noChange() / 10; }
        }
        assertTrue(first > 0.8 * noChange, "untrained, the loss is near the no-change loss (" + first + " vs " + noChange + ")");
        assertTrue(last < 0.5 * noChange, "trained, the loss " + last + " is below half the no-change loss " + noChange);
    }

    /**
     * Trained on the synthetic runs, ancestral sampling lands near the x0 its conditioning implies: the whole chain
     * (tokens, conditioning, x0-prediction, respaced posterior steps) works together.
     */
    @Test void samplesFollowTheConditioning() {
        GptTrainer t = new GptTrainer(small(400), LAYERS, B);
        Synthetic s = new Synthetic();
        for (int i = 0; i < 400; i++) t.trainStep(s);
        SplittableRandom rng = new SplittableRandom(11);
        int n = 8;
        float[][] prev = new float[n][], x0 = new float[n][];
        double[] lt = new double[n], lp = new double[n];
        for (int i = 0; i < n; i++) {
            CheckpointPairs.Pair p = s.sample(rng);
            prev[i] = p.xPrev();
            x0[i] = p.x0();
            lt[i] = p.lTarget();
            lp[i] = p.lPrev();
        }
        float[][] got = t.sample(false, prev, lt, lp, 5);
        double err = 0, noChange = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 87; j++) {
                err += (got[i][j] - x0[i][j]) * (got[i][j] - x0[i][j]);
                noChange += (prev[i][j] - x0[i][j]) * (prev[i][j] - x0[i][j]);
            }
        }
        assertTrue(err < 0.25 * noChange, "sampled error " + err + " against the no-change error " + noChange);
    }

    @Test void resumesBitForBit(@TempDir Path dir) throws Exception {
        Synthetic s = new Synthetic();
        GptTrainer straight = new GptTrainer(small(6), LAYERS, B);
        straight.run(s, -1, () -> false, null, null);
        GptTrainer first = new GptTrainer(small(6), LAYERS, B);
        Path ckpt = dir.resolve(GptTrainer.FILE);
        first.run(s, 3, () -> false, ckpt, null);
        GptTrainer resumed = new GptTrainer(small(6), LAYERS, B);
        resumed.read(ckpt);
        assertEquals(3, resumed.step());
        resumed.run(s, -1, () -> false, ckpt, null);
        straight.write(dir.resolve("a.safetensors"));
        resumed.write(dir.resolve("b.safetensors"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.safetensors")), Files.readAllBytes(dir.resolve("b.safetensors")));
        GptTrainer other = new GptTrainer(small(6).with(Map.of("dim", 16)), LAYERS, B);
        var e = assertThrows(java.io.IOException.class, () -> other.read(ckpt));
        assertTrue(e.getMessage().contains("made with"), e.getMessage());
    }

    /**
     * G.pt trains on the OpenCL backend (PoCL in CI; fails there if absent, -Dlopt4j.opencl.required=true) to the
     * losses of the SIMD backend: float32 on both, other summation orders.
     */
    @Test void trainsOnOpenClAsOnSimd() {
        boolean available = Backends.providers().stream().anyMatch(p -> p.name().equals("opencl") && p.probe().isPresent());
        if (!available && Boolean.getBoolean("lopt4j.opencl.required")) org.junit.jupiter.api.Assertions.fail("no OpenCL device");
        org.junit.jupiter.api.Assumptions.assumeTrue(available, "no OpenCL device");
        Synthetic s = new Synthetic();
        GptTrainer simd = new GptTrainer(small(4), LAYERS, Backends.named("simd")), ocl = new GptTrainer(small(4), LAYERS, Backends.named("opencl"));
        for (int i = 0; i < 4; i++) {
            double a = simd.trainStep(s).loss(), b = ocl.trainStep(s).loss();
            assertEquals(a, b, 1e-4 * a, "loss at step " + i);
        }
        float[][] prev = {s.sample(new SplittableRandom(8)).xPrev()};
        assertArrayEquals(simd.sample(false, prev, new double[] {0.1}, new double[] {1}, 3)[0], ocl.sample(false, prev, new double[] {0.1}, new double[] {1}, 3)[0], 1e-3f);
    }
}
