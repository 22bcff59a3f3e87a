package org.lopt4j.tensor.cpu;

import java.util.stream.IntStream;

/** A tiny parallel-for over index ranges on the common fork-join pool; small ranges run on the caller. */
public final class Parallel {
    private Parallel() {}

    /** Body over {@code [from, to)}. */
    public interface Range { void run(int from, int to); }

    /** Read once: in containers availableProcessors() consults cgroups on every call, which costs microseconds. */
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    /** Number of worker threads used for large loops. */
    public static int threads() { return THREADS; }

    /**
     * Splits {@code [0, n)} into at most {@link #threads()} × 4 ranges of at least {@code grain} items and runs them in
     * parallel; runs inline when {@code n < 2 * grain}.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int parts = Math.min(threads() * 4, Math.max(1, n / Math.max(1, grain)));
        if (parts <= 1 || threads() == 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(p -> {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            if (from < to) body.run(from, to);
        });
    }

    /** Body over {@code [from, to)} with its worker's scratch. */
    public interface ScratchRange<T> { void run(T scratch, int from, int to); }

    /**
     * Runs {@code body} over {@code [0, n)} in batches of {@code batch} items that each worker takes in turn until none
     * are left: for items of uneven cost, where {@link #forRange}'s equal-count ranges would leave one thread the
     * expensive tail. Each worker makes its scratch once. Which thread runs which batch varies; bodies that write
     * per-item results stay deterministic.
     */
    public static <T> void forBatches(int n, int batch, java.util.function.Supplier<T> scratch, ScratchRange<T> body) {
        if (n <= 0) return;
        int b = Math.max(1, batch);
        if (threads() == 1 || n <= b) {
            body.run(scratch.get(), 0, n);
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        IntStream.range(0, threads()).parallel().forEach(w -> {
            T mine = scratch.get();
            for (int from; (from = next.getAndAdd(b)) < n; ) body.run(mine, from, Math.min(n, from + b));
        });
    }
}
