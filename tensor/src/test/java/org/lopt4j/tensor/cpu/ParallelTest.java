package org.lopt4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The parallel loops visit every index exactly once, whatever the sizes. */
class ParallelTest {
    @Test
    void forBatchesVisitsEachIndexOnceWithOneScratchPerWorker() {
        for (int n : new int[] {0, 1, 3, 4, 5, 97, 1000}) {
            for (int batch : new int[] {1, 4, 7, 2000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, n));
                AtomicInteger scratches = new AtomicInteger();
                Parallel.forBatches(n, batch, () -> new int[] {scratches.incrementAndGet()}, (sc, from, to) -> {
                    assertTrue(to - from <= Math.max(1, batch) && from < to, "batch [" + from + ", " + to + ")");
                    for (int i = from; i < to; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " batch=" + batch + " index " + i);
                assertTrue(scratches.get() <= Parallel.threads(), "scratch per worker, not per batch: " + scratches.get());
            }
        }
    }

    @Test
    void forRangeVisitsEachIndexOnce() {
        for (int n : new int[] {0, 1, 2, 9, 1000}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, n));
            Parallel.forRange(n, 1, (from, to) -> { for (int i = from; i < to; i++) seen.incrementAndGet(i); });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " index " + i);
        }
    }
}
