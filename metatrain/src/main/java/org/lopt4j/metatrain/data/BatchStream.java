package org.lopt4j.metatrain.data;

import java.util.Arrays;
import org.lopt4j.tensor.RandomKey;

/**
 * Deterministic epoch-wise shuffled batch indices (learned_optimization's pipeline, tasks.md §2): epoch e's order is
 * {@code key.fold(e).permutation(n)}, consecutive batches of {@code batchSize} are taken from it, and the incomplete
 * last batch is dropped. Batch b is a pure function of (key, n, batchSize, b).
 */
public final class BatchStream {
    private final int n, batchSize;
    private final RandomKey key;
    private long cachedEpoch = -1;
    private long pos;
    private int[] order;

    public BatchStream(int n, int batchSize, RandomKey key) {
        if (batchSize <= 0 || batchSize > n) throw new IllegalArgumentException("batch size " + batchSize + " for " + n + " examples");
        this.n = n;
        this.batchSize = batchSize;
        this.key = key;
    }

    /** The order of the examples in epoch {@code e}. */
    public int[] epochOrder(long e) {
        if (e < 0) throw new IllegalArgumentException("epoch " + e);
        if (e != cachedEpoch) {
            order = key.fold(e).permutation(n);
            cachedEpoch = e;
        }
        return order.clone();
    }

    /** Batch number {@code b} of the whole stream. */
    public int[] batch(long b) {
        if (b < 0) throw new IllegalArgumentException("batch " + b);
        long perEpoch = batchesPerEpoch(), e = b / perEpoch;
        int i = (int) (b % perEpoch);
        if (e != cachedEpoch) epochOrder(e);
        return Arrays.copyOfRange(order, i * batchSize, (i + 1) * batchSize);
    }

    /** The next batch (the first call gives batch 0). */
    public int[] next() { return batch(pos++); }

    /** Full batches per epoch: {@code n / batchSize}. */
    public int batchesPerEpoch() { return n / batchSize; }
}
