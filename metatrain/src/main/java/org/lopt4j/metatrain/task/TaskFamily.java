package org.lopt4j.metatrain.task;

import org.lopt4j.tensor.RandomKey;

/** Samples tasks (learned_optimization's {@code TaskFamily}): the same key gives the same task. */
public interface TaskFamily {
    String name();

    Task sample(RandomKey key);

    /** One task per dataset the family samples from, to check its data is there ({@link DataCheck}); none by default. */
    default java.util.List<Task> dataSamples() { return java.util.List.of(); }
}
