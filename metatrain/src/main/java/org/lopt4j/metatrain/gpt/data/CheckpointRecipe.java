package org.lopt4j.metatrain.gpt.data;

import java.util.SplittableRandom;

/**
 * How each run of the checkpoint dataset trains and which iterations it keeps (gpt_checkpoints.md §1): SGD with
 * Nesterov momentum, weight decay, shuffled minibatches (last partial batch dropped), lr
 * {@code baseLr/2·(1 + cos(π·epoch/epochs))} set at each epoch start; {@code checkpoints} per run (iteration 0, the
 * final one and the rest drawn without replacement in between); test metrics on the first {@code testImages} images of
 * the official test set. Run r draws its init, shuffles and schedule from seeds derived from {@code seed} and r.
 */
public record CheckpointRecipe(int epochs, int checkpoints, int batch, double baseLr, double momentum, double weightDecay, int testImages, long seed) {
    public CheckpointRecipe {
        if (epochs < 1 || batch < 1 || testImages < 1) throw new IllegalArgumentException("recipe: epochs, batch and test images must be positive");
        if (checkpoints < 2) throw new IllegalArgumentException("recipe: " + checkpoints + " checkpoints per run, at least 2 (the init and the final)");
    }

    /** The nano recipe (§7): 5 epochs, 50 checkpoints, 2,000 test images. */
    public static CheckpointRecipe nano() { return new CheckpointRecipe(5, 50, 128, 0.1, 0.9, 5e-4, 2_000, 0); }

    /** The paper's recipe (§1): 25 epochs, 200 checkpoints, the whole 10,000-image test set. */
    public static CheckpointRecipe original() { return new CheckpointRecipe(25, 200, 128, 0.1, 0.9, 5e-4, 10_000, 0); }

    public CheckpointRecipe withEpochs(int e) { return new CheckpointRecipe(e, checkpoints, batch, baseLr, momentum, weightDecay, testImages, seed); }

    public CheckpointRecipe withCheckpoints(int k) { return new CheckpointRecipe(epochs, k, batch, baseLr, momentum, weightDecay, testImages, seed); }

    public CheckpointRecipe withTestImages(int n) { return new CheckpointRecipe(epochs, checkpoints, batch, baseLr, momentum, weightDecay, n, seed); }

    public CheckpointRecipe withSeed(long s) { return new CheckpointRecipe(epochs, checkpoints, batch, baseLr, momentum, weightDecay, testImages, s); }

    /** Minibatches per epoch for {@code examples} training images (the last partial batch is dropped). */
    public int itersPerEpoch(int examples) { return examples / batch; }

    /** Updates of a whole run. */
    public int totalIters(int examples) { return epochs * itersPerEpoch(examples); }

    /** The learning rate of epoch {@code e} (0-based), set at its start. */
    public double lr(int e) { return baseLr / 2 * (1 + Math.cos(Math.PI * e / epochs)); }

    /** Which random stream of a run a seed is for. */
    enum Stream { INIT, SHUFFLE, SCHEDULE }

    /** The generator of {@code stream} of run {@code run}: a SplitMix64 hash of (seed, run, stream) as its seed. */
    SplittableRandom rng(int run, Stream stream) { return new SplittableRandom(mix(seed, run, stream.ordinal())); }

    private static long mix(long seed, int run, int stream) {
        long z = seed * 0x9E3779B97F4A7C15L + run * 0xBF58476D1CE4E5B9L + (stream + 1) * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The sorted iterations run {@code run} keeps out of {@code total} updates: 0, {@code checkpoints − 2} drawn
     * uniformly without replacement from {@code [1, total)}, and {@code total}.
     */
    public int[] schedule(int run, int total) {
        if (checkpoints - 2 > total - 1) throw new IllegalArgumentException(checkpoints + " checkpoints need at least " + (checkpoints - 1) + " updates, the run has " + total);
        SplittableRandom r = rng(run, Stream.SCHEDULE);
        int[] pool = new int[total - 1];
        for (int i = 0; i < pool.length; i++) pool[i] = i + 1;
        for (int i = 0; i < checkpoints - 2; i++) {    // partial Fisher-Yates: the first k of a uniform permutation
            int j = i + r.nextInt(pool.length - i), t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        int[] out = new int[checkpoints];
        System.arraycopy(pool, 0, out, 1, checkpoints - 2);
        out[checkpoints - 1] = total;
        java.util.Arrays.sort(out);
        return out;
    }

    /** Shuffles {@code order} in place with {@code rng} (Fisher-Yates): the next epoch's example order of a run. */
    static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
