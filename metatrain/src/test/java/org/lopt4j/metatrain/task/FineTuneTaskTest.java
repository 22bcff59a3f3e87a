package org.lopt4j.metatrain.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.cli.Main;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Adam;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.io.SafeTensors;

/** The fine-tuning tasks: the shipped body in every member under its own head, class subsets, and {@code lopt4j pretrain}. */
class FineTuneTaskTest {
    static final Backend B = Backends.best();
    static final String DIGITS = "FineTune_Conv8_Mnist0to4_Mnist5to9";

    @Test void everyMemberStartsFromTheShippedBodyUnderItsOwnHead() {
        Task t = Tasks.byName(DIGITS, null);
        SlabLayout one = t.layout();
        Slab pop = t.init(RandomKey.of(3), B, 3);
        Map<String, float[]> body = PretrainedConv.shipped();
        assertEquals(4, body.size());
        float[] flat = pop.flat().toFloatArray();
        for (int m = 0; m < 3; m++) {
            for (var e : body.entrySet()) {
                int at = m * one.size() + one.offset(one.index(e.getKey()));
                assertArrayEquals(e.getValue(), Arrays.copyOfRange(flat, at, at + e.getValue().length), "member " + m + ": " + e.getKey());
            }
        }
        int w = one.offset(one.index("linear/w")), n = one.shape(one.index("linear/w")).numel();
        assertFalse(Arrays.equals(Arrays.copyOfRange(flat, w, w + n), Arrays.copyOfRange(flat, one.size() + w, one.size() + w + n)),
                "members 0 and 1 draw their heads from their own keys");
    }

    @Test void aTaskSeesOnlyItsClasses() {
        Task t = Tasks.byName(DIGITS, null);
        int n = t.examples(Split.TRAIN);
        assertTrue(n > 1000, "digits 5-9 of the embedded MNIST train split: " + n);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        Batch b = t.batch(B, Split.TRAIN, new int[][] {all});
        int[] labels = b.y().toIntArray();
        int[] seen = new int[10];
        for (int y : labels) seen[y]++;
        for (int d = 0; d < 5; d++) assertEquals(0, seen[d], "digit " + d + " must not appear");
        for (int d = 5; d < 10; d++) assertTrue(seen[d] > 0, "digit " + d + " appears");
        assertEquals(10, Tasks.byName("FineTune_Conv8_Mnist0to4_FashionMnist", null).layout().shape(
                Tasks.byName("FineTune_Conv8_Mnist0to4_FashionMnist", null).layout().index("linear/b")).numel());
    }

    /** The body carries what it learned: fine-tuning from it beats training the same net from scratch, same steps and seeds. */
    @Test void theShippedBodyHelpsFineTuning() {
        Task pretrained = Tasks.byName(DIGITS, null);
        Task scratch = new FineTuneTask("scratch", PretrainedConv.architecture("scratch", "mnist", null), new int[] {5, 6, 7, 8, 9}, Map.of());
        double[] a = InnerTrainer.train(pretrained, Adam.optax(3e-3), 100, 1, 2, B, null).lastLosses();
        double[] s = InnerTrainer.train(scratch, Adam.optax(3e-3), 100, 1, 2, B, null).lastLosses();
        double fromBody = (a[0] + a[1]) / 2, fromScratch = (s[0] + s[1]) / 2;
        assertTrue(fromBody < 0.92 * fromScratch, "after 100 Adam steps: from the body " + fromBody + ", from scratch " + fromScratch);
    }

    @Test void theShippedBodyRecordsItsRecipe() throws IOException {
        Path tmp = Files.createTempFile("body", ".safetensors");
        try (var in = PretrainedConv.class.getResourceAsStream(PretrainedConv.RESOURCE)) {
            Files.write(tmp, in.readAllBytes());
            Map<String, String> meta = SafeTensors.header(tmp).metadata();
            assertEquals(Integer.toString(PretrainedConv.STEPS), meta.get("steps"));
            assertEquals(Double.toString(PretrainedConv.LR), meta.get("lr"));
            assertEquals(Long.toString(PretrainedConv.SEED), meta.get("seed"));
            assertEquals("0,1,2,3,4", meta.get("classes"));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test void pretrainWritesABodyThatLoads(@TempDir Path dir) throws IOException {
        assertEquals(0, Main.run("pretrain", "--steps", "15", "--out", dir.toString(), "--quiet"));
        Path f = dir.resolve(PretrainedConv.RESOURCE);
        Map<String, float[]> body = PretrainedConv.read(f);
        assertEquals(java.util.Set.of("conv2_d/w", "conv2_d/b", "conv2_d_1/w", "conv2_d_1/b"), body.keySet());
        assertEquals("15", SafeTensors.header(f).metadata().get("steps"));
        assertTrue(Files.size(dir.resolve("loss.png")) > 0);
        assertEquals(2, Main.run("pretrain", "--steps", "x"));
        assertEquals(1, Main.run("pretrain", "--steps", "-3", "--out", dir.toString()));
    }

    @Test void aBodyOfAnotherNetIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        PretrainedConv.write(f, Map.of("conv2_d/b", new float[8]), Map.of());
        IOException e = assertThrows(IOException.class, () -> PretrainedConv.read(f));
        assertTrue(e.getMessage().contains("4 conv tensors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FineTuneTask("x", PretrainedConv.architecture("x", "mnist", null),
                new int[] {5}, Map.of("conv2_d/b", new float[3])));
    }
}
