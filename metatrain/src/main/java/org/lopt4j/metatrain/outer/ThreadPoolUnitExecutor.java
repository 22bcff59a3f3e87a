package org.lopt4j.metatrain.outer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The default {@link UnitExecutor}: a fixed pool of threads (one per core unless told), results in unit order. */
public final class ThreadPoolUnitExecutor implements UnitExecutor {
    private final int threads;
    private final ExecutorService pool;

    public ThreadPoolUnitExecutor(int threads) {
        if (threads < 1) throw new IllegalArgumentException("a thread pool needs ≥ 1 thread, got " + threads);
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lopt4j-unit");
            t.setDaemon(true);
            return t;
        });
    }

    /** One thread per available core. */
    public static ThreadPoolUnitExecutor perCore() { return new ThreadPoolUnitExecutor(Runtime.getRuntime().availableProcessors()); }

    @Override public List<UnitResult> runAll(List<EstimatorUnit> units) {
        List<Callable<UnitResult>> calls = new ArrayList<>();
        for (EstimatorUnit u : units) calls.add(u::run);
        return invokeAll(calls);
    }

    /** Runs every call on the pool; results in the calls' order. A call's exception fails the whole call. */
    public <R> List<R> invokeAll(List<? extends Callable<R>> calls) {
        List<Future<R>> fs = new ArrayList<>();
        for (Callable<R> c : calls) fs.add(pool.submit(c));
        List<R> out = new ArrayList<>();
        try {
            for (Future<R> f : fs) out.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running units", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException("unit failed: " + c, c);
        } finally {
            for (Future<R> f : fs) f.cancel(true);
        }
        return out;
    }

    @Override public String describe() { return "thread pool (" + threads + " threads)"; }

    @Override public void close() { pool.shutdownNow(); }
}
