package org.lopt4j.metatrain.data;

import org.lopt4j.tensor.RandomKey;

/**
 * Deterministic epoch-wise shuffled batch indices: epoch e's order is {@code key.fold(e).permutation(n)}, consecutive
 * batches of {@code batchSize}, the incomplete last batch dropped (learned_optimization's pipeline).
 */
public final class BatchStream {
    private final int n, batchSize;
    private final RandomKey key;
    private int epoch = -1, pos;
    private int[] order;

    public BatchStream(int n, int batchSize, RandomKey key) {
        if (batchSize <= 0 || batchSize > n) throw new IllegalArgumentException("batch size " + batchSize + " for " + n + " examples");
        this.n = n;
        this.batchSize = batchSize;
        this.key = key;
    }

    /** Batch number {@code b} of the whole stream (a pure function of the key and b). */
    public int[] batch(long b) {
        int perEpoch = n / batchSize;
        int e = (int) (b / perEpoch), i = (int) (b % perEpoch);
        if (e != epoch) { order = key.fold(e).permutation(n); epoch = e; }
        return java.util.Arrays.copyOfRange(order, i * batchSize, (i + 1) * batchSize);
    }

    /** The next batch. */
    public int[] next() { return batch(pos++); }

    public int batchesPerEpoch() { return n / batchSize; }
}
