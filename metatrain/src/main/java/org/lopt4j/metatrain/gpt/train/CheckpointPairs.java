package org.lopt4j.metatrain.gpt.train;

import java.util.random.RandomGenerator;

/** Training pairs for G.pt: a later checkpoint x0 of the same run as x_prev, both scaled, with their metrics. */
public interface CheckpointPairs {
    /** One pair (gpt_checkpoints.md §2). */
    record Pair(float[] x0, float[] xPrev, double lTarget, double lPrev) {}

    /** Values per vector. */
    int parameters();

    /** Values per layer of the task net, in the vector's order. */
    int[] layerSizes();

    /** A pair drawn with {@code rng}. */
    Pair sample(RandomGenerator rng);
}
