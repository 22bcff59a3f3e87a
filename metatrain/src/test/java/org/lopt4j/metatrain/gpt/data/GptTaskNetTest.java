package org.lopt4j.metatrain.gpt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.data.Datasets;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;
import org.junit.jupiter.api.BeforeAll;

/** The task net: sizes and layer offsets, init bounds, the permutation gather, and the fast evaluator against float64. */
class GptTaskNetTest {
    /** float32 accumulation over 196 inputs against float64. */
    static final double EVAL_TOL = 1e-5;
    static ImageDataset test;

    @BeforeAll static void load() throws Exception { test = Datasets.image("mnist", 14, Split.TEST, (java.nio.file.Path) null).slice(0, 300); }

    @Test void parameterCountsAndLayerOffsets() {
        assertEquals(2_080, TaskNet.nano().parameters());
        assertEquals(7_960, TaskNet.original().parameters());
        List<TaskNet.Layer> l = TaskNet.original().layers();
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), l.stream().map(TaskNet.Layer::name).toList());
        assertArrayEquals(new int[] {0, 7_840, 7_850, 7_950}, l.stream().mapToInt(TaskNet.Layer::offset).toArray());
        assertArrayEquals(new int[] {7_840, 10, 100, 10}, l.stream().mapToInt(TaskNet.Layer::length).toArray());
        assertArrayEquals(new int[] {10, 784}, l.get(0).shape());
        assertArrayEquals(new int[] {0, 1_960, 1_970, 2_070}, TaskNet.nano().layers().stream().mapToInt(TaskNet.Layer::offset).toArray());
    }

    @Test void initIsUniformWithinOneOverRootFanIn() {
        TaskNet net = TaskNet.nano();
        float[] th = net.init(new SplittableRandom(3));
        double max1 = 0, max2 = 0;
        for (int i = 0; i < 1_970; i++) max1 = Math.max(max1, Math.abs(th[i]));
        for (int i = 1_970; i < 2_080; i++) max2 = Math.max(max2, Math.abs(th[i]));
        assertTrue(max1 <= 1 / 14.0 && max1 > 0.95 / 14, "fc1 bound 1/sqrt(196): " + max1);
        assertTrue(max2 <= 1 / Math.sqrt(10) && max2 > 0.8 / Math.sqrt(10), "fc2 bound 1/sqrt(10): " + max2);
        assertArrayEquals(th, net.init(new SplittableRandom(3)), "seeded");
    }

    @Test void permutedNetsGiveTheSameLogits() {
        TaskNet net = TaskNet.nano();
        float[] th = net.init(new SplittableRandom(5));
        int[] perm = net.randomPermutation(new SplittableRandom(11));
        float[] moved = TaskNet.permute(th, perm);
        assertFalse(java.util.Arrays.equals(th, moved), "a non-trivial permutation changes the vector");
        int[] sorted = perm.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i], "a permutation of the indices");
        for (int i = 2_070; i < 2_080; i++) assertEquals(i, perm[i], "fc2.bias stays");
        double[] a = toDouble(th), b = toDouble(moved);
        for (int s = 0; s < 20; s++) {
            double[] img = new double[196];
            for (int i = 0; i < 196; i++) img[i] = (test.pixels()[s * 196 + i] - 0.1307) / 0.3081;
            assertArrayEquals(ReferenceRun.logits(net, a, img), ReferenceRun.logits(net, b, img), 1e-12, "image " + s);
        }
    }

    @Test void fastEvaluatorMatchesFloat64() {
        TaskNet net = TaskNet.nano();
        float[][] thetas = new float[5][];
        for (int m = 0; m < 5; m++) thetas[m] = net.init(new SplittableRandom(100 + m));
        TaskNet.Metrics got = net.evaluate(thetas, test);
        for (int m = 0; m < 5; m++) {
            double loss = 0, wrong = 0;
            for (int s = 0; s < test.n(); s++) {
                double[] img = new double[196];
                for (int i = 0; i < 196; i++) img[i] = (test.pixels()[s * 196 + i] - 0.1307) / 0.3081;
                double[] z = ReferenceRun.logits(net, toDouble(thetas[m]), img);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                int arg = 0;
                for (int k = 0; k < 10; k++) if (z[k] > max) { max = z[k]; arg = k; }
                for (double v : z) sum += Math.exp(v - max);
                loss += max + Math.log(sum) - z[test.labels()[s]];
                if (arg != test.labels()[s]) wrong++;
            }
            assertEquals(loss / test.n(), got.loss()[m], EVAL_TOL, "loss of net " + m);
            assertEquals(wrong / test.n(), got.err()[m], 1.5 / test.n(), "error of net " + m + " (a near tie may flip one image)");
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
