package org.lopt4j.metatrain.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.lopt4j.metatrain.data.Split;

/**
 * Reads a task's training data up front (tasks load it on first use), so missing or unreadable data is reported
 * before a run locks its directory, opens its logs or shows a progress bar.
 */
public final class DataCheck {
    private DataCheck() {}

    /** Loads {@code task}'s training split; a failure names the file and the reason. */
    public static void require(Task task) throws IOException {
        try {
            task.examples(Split.TRAIN);
        } catch (UncheckedIOException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Loads the training data of every dataset {@code family} samples from. */
    public static void require(TaskFamily family) throws IOException {
        for (Task t : family.dataSamples()) require(t);
    }
}
