package org.lopt4j.metatrain.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM and SIGINT (Ctrl-C, a cluster preempting the job) as a request to stop cleanly: a shutdown hook raises
 * {@link #requested()}, which the outer loop reads after every step, and then holds the JVM until the loop has
 * written its checkpoint and {@link #close closed} this signal. An interrupted run loses at most the step in flight.
 */
public final class StopSignal implements AutoCloseable {
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread owner = Thread.currentThread();
    private final Thread hook = new Thread(this::stopAndWait, "lopt4j-stop");
    private volatile boolean requested;

    private StopSignal() {}

    /** Installs the hook for the calling thread's run; close it when the run has saved what it will save. */
    public static StopSignal install() {
        StopSignal s = new StopSignal();
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** Whether the process was asked to stop. */
    public boolean requested() { return requested; }

    private void stopAndWait() {
        requested = true;
        try {
            while (!closed.await(1, TimeUnit.SECONDS)) {
                if (!owner.isAlive()) return;                                // the run's thread is gone: nothing more will be saved
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run has stopped and saved its state: the hook, if running, lets the JVM exit; otherwise it is removed. */
    @Override public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already shutting down: the hook has just been released
        }
    }
}
