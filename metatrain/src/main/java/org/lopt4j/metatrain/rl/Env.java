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

    /** An environment step's outcome. */
    record Step(double[] observation, double reward, boolean done) {}
}
