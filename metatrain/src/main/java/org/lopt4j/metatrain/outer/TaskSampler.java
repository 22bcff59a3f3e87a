package org.lopt4j.metatrain.outer;

import java.util.concurrent.ConcurrentHashMap;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.tensor.RandomKey;

/** A task family with its samples remembered by key (a sample is a pure function of its key). */
public record TaskSampler(TaskFamily familyOf, ConcurrentHashMap<RandomKey, Task> samples) {
    public TaskSampler(TaskFamily family) { this(family, new ConcurrentHashMap<>()); }

    /** The family's task for {@code key}. */
    public Task task(RandomKey key) { return samples.computeIfAbsent(key, familyOf::sample); }
}
