package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.cpu.ScalarBackend;

class SplitAndShuffleTest {
    @Test void splitsOfTheOfficialTrainingSet() {
        assertEquals(48000, Split.TRAIN.end(60000) - Split.TRAIN.start(60000));
        assertEquals(6000, Split.INNER_VALID.end(60000) - Split.INNER_VALID.start(60000));
        assertEquals(6000, Split.OUTER_VALID.end(60000) - Split.OUTER_VALID.start(60000));
        assertEquals(40000, Split.TRAIN.end(50000), "CIFAR-10");
        for (int n : new int[] {1, 7, 10, 999, 1001, 50000, 60000}) {
            assertEquals(0, Split.TRAIN.start(n));
            assertEquals(Split.TRAIN.end(n), Split.INNER_VALID.start(n), "contiguous at n = " + n);
            assertEquals(Split.INNER_VALID.end(n), Split.OUTER_VALID.start(n), "contiguous at n = " + n);
            assertEquals(n, Split.OUTER_VALID.end(n));
            assertEquals(n, Split.TEST.end(n) - Split.TEST.start(n), "test is the whole test set");
        }
    }

    static boolean isPermutation(int[] p, int n) {
        boolean[] seen = new boolean[n];
        for (int v : p) {
            if (v < 0 || v >= n || seen[v]) return false;
            seen[v] = true;
        }
        return p.length == n;
    }

    @Test void epochsAreDeterministicPermutationsFromTheKey() {
        RandomKey key = RandomKey.of(3);
        BatchStream a = new BatchStream(1000, 128, key), b = new BatchStream(1000, 128, RandomKey.of(3));
        assertEquals(7, a.batchesPerEpoch(), "incomplete last batch dropped");
        for (int e = 0; e < 3; e++) {
            int[] order = a.epochOrder(e);
            assertArrayEquals(key.fold(e).permutation(1000), order, "epoch e's order is key.fold(e).permutation(n)");
            assertFalse(Arrays.equals(order, a.epochOrder(e + 1)), "epoch " + (e + 1) + " reshuffles");
            for (int i = 0; i < 7; i++) {
                int[] x = a.next();
                assertArrayEquals(Arrays.copyOfRange(order, i * 128, (i + 1) * 128), x, "batch " + i + " of epoch " + e);
                assertArrayEquals(x, b.next(), "same key, same batches");
            }
            assertEquals(true, isPermutation(order, 1000), "epoch " + e);
        }
        assertArrayEquals(a.batch(15), new BatchStream(1000, 128, key).batch(15), "batch b is a pure function of the key and b");
        assertFalse(Arrays.equals(a.batch(0), new BatchStream(1000, 128, RandomKey.of(4)).batch(0)), "another key, another order");
        assertThrows(IllegalArgumentException.class, () -> new BatchStream(10, 11, key));
    }

    @Test void imageBatchesAreNhwcF32WithI32Labels() {
        float[] px = new float[5 * 2 * 2 * 3];
        for (int i = 0; i < px.length; i++) px[i] = i;
        ImageDataset d = new ImageDataset("t", 5, 2, 2, 3, px, new int[] {0, 1, 2, 3, 4}, 10);
        Batch b = d.batch(ScalarBackend.INSTANCE, new int[] {4, 1});
        assertArrayEquals(new int[] {2, 2, 2, 3}, b.x().shape().dims());
        assertEquals(DType.F32, b.x().dtype());
        assertEquals(DType.I32, b.y().dtype());
        assertArrayEquals(new int[] {4, 1}, b.y().toIntArray());
        assertEquals(48f, b.x().toFloatArray()[0]);
        assertEquals(12f + 11, b.x().toFloatArray()[23]);
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("t", 5, 2, 2, 3, new float[3], new int[5], 10));
    }
}
