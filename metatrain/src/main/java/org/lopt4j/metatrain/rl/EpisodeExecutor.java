package org.lopt4j.metatrain.rl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;

/** Where the episodes of an LHOPT iteration play when they play at once: a thread pool of actors, or Spark. */
public interface EpisodeExecutor extends AutoCloseable {
    /** Plays every unit with {@code trainer}; results in the units' order. A unit's exception fails the whole call. */
    List<EpisodeUnit.Played> runAll(LhoptTrainer trainer, List<EpisodeUnit> units);

    /** Short description for logs. */
    String describe();

    @Override default void close() {}

    /** A pool of {@code threads} actor threads. */
    static EpisodeExecutor threads(int threads) {
        ThreadPoolUnitExecutor pool = new ThreadPoolUnitExecutor(threads);
        return new EpisodeExecutor() {
            @Override public List<EpisodeUnit.Played> runAll(LhoptTrainer trainer, List<EpisodeUnit> units) {
                List<Callable<EpisodeUnit.Played>> calls = new ArrayList<>();
                for (EpisodeUnit u : units) calls.add(() -> u.play(trainer));
                return pool.invokeAll(calls);
            }

            @Override public String describe() { return pool.describe(); }

            @Override public void close() { pool.close(); }
        };
    }
}
