package org.lopt4j.metatrain.selftrain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;

/** Where the {@link MemberUnit}s of a self-training step run: in the calling thread, a thread pool, or Spark. */
public interface MemberUnitExecutor extends AutoCloseable {
    /** Runs every unit with {@code trainer}; results in the units' order. A unit's exception fails the whole call. */
    List<MemberUnit.Result> runAll(SelfTrainer trainer, List<MemberUnit> units);

    /** Short description for logs. */
    String describe();

    @Override default void close() {}

    /** Every unit in the calling thread, one after another. */
    static MemberUnitExecutor inline() {
        return new MemberUnitExecutor() {
            @Override public List<MemberUnit.Result> runAll(SelfTrainer trainer, List<MemberUnit> units) {
                List<MemberUnit.Result> out = new ArrayList<>();
                for (MemberUnit u : units) out.add(u.run(trainer));
                return out;
            }

            @Override public String describe() { return "the calling thread"; }
        };
    }

    /** A pool of {@code threads} threads. */
    static MemberUnitExecutor threads(int threads) {
        ThreadPoolUnitExecutor pool = new ThreadPoolUnitExecutor(threads);
        return new MemberUnitExecutor() {
            @Override public List<MemberUnit.Result> runAll(SelfTrainer trainer, List<MemberUnit> units) {
                List<Callable<MemberUnit.Result>> calls = new ArrayList<>();
                for (MemberUnit u : units) calls.add(() -> u.run(trainer));
                return pool.invokeAll(calls);
            }

            @Override public String describe() { return pool.describe(); }

            @Override public void close() { pool.close(); }
        };
    }
}
