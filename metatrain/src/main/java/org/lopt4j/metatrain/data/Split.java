package org.lopt4j.metatrain.data;

/**
 * learned_optimization's splits: of the official training set, {@code train} is the first 80 %, {@code inner_valid}
 * the next 10 %, {@code outer_valid} the last 10 % (in file order: IDX, CIFAR-10 batches 1 to 5; upstream slices
 * TFDS's stored order, a fixed shuffle that cannot be reproduced without TFDS); {@code test} is
 * the official test set. Boundaries are {@code round(0.8·n)} and {@code round(0.9·n)} (48,000 and 54,000 of 60,000;
 * 40,000 and 45,000 of CIFAR-10's 50,000).
 */
public enum Split {
    TRAIN(0.0, 0.8), INNER_VALID(0.8, 0.9), OUTER_VALID(0.9, 1.0), TEST(0.0, 1.0);

    private final double from, to;

    Split(double from, double to) {
        this.from = from;
        this.to = to;
    }

    /** First index of this split in a set of {@code n} examples. */
    public int start(int n) { return (int) Math.round(from * n); }

    /** One past the last index. */
    public int end(int n) { return (int) Math.round(to * n); }
}
