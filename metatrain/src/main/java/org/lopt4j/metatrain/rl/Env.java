package org.lopt4j.metatrain.rl;

import org.lopt4j.tensor.RandomKey;

/** An episodic environment with one categorical action per head: the interface PPO's rollouts drive. */
public interface Env {
    /** Dimension of the observations. */
    int observationSize();

    /** Choices of each action head. */
    int[] actionSizes();

    /** A fresh episode from {@code key}; returns the first observation. */
    double[] reset(RandomKey key);

    /** Applies one action per head; the next observation, the reward and whether the episode ended. */
    Step step(int[] action);

    /** The critic's inputs at the current observation (lhopt.md §4's asymmetric critic); empty by default. */
    default double[] privileged() { return new double[0]; }

    /** An environment step's outcome. */
    record Step(double[] observation, double reward, boolean done) {}
}
