package org.lopt4j.metatrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.MetaState;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.metatrain.outer.UnitExecutor;
import org.lopt4j.tensor.Backends;

/** Spark in-process ({@code local[2,4]}: 2 threads, 4 attempts per task) against the thread pool, and a retried unit. */
class SparkUnitExecutorTest {
    static JavaSparkContext sc;

    @BeforeAll static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,4]").setAppName("lopt4j-test").set("spark.ui.enabled", "false").set("spark.log.level", "WARN"));
        sc.setLogLevel("WARN");
    }

    @AfterAll static void stop() { if (sc != null) sc.stop(); }

    static MetaConfig config() {
        return MetaConfig.defaults().with(Map.of("truncLength", 5, "schedule", "constant:12", "initialOffset", 12, "problems", 2,
                "estimators", 3, "outerSteps", 3, "seed", 3, "checkpointSeconds", 0));
    }

    static double[] run(Recipe r, UnitExecutor ex) throws Exception {
        MetaTrainer t = new MetaTrainer(r, ex, null);
        MetaState s = t.run(t.fresh(), -1, null);
        assertEquals(3, s.step());
        return s.theta();
    }

    @Test void sameThetaAsTheThreadPool() throws Exception {
        Recipe r = Recipe.of(config(), null, Backends.best());
        double[] threads;
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            threads = run(r, ex);
        }
        try (SparkUnitExecutor ex = new SparkUnitExecutor(sc, r, SparkUnitExecutor.runnerFor(r, null))) {
            assertArrayEquals(threads, run(r, ex), 0, "bit for bit");
        }
    }

    /** Fails the first attempt of unit 1 of outer step 1, once per JVM. */
    record FailOnce(UnitRunner inner) implements UnitRunner {
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override public SparkResult run(SparkUnit u, double[] theta) {
            if (u.step() == 1 && u.index() == 1 && FAILURES.getAndIncrement() == 0) throw new IllegalStateException("injected failure of " + u.id());
            return inner.run(u, theta);
        }
    }

    @Test void aUnitThatThrowsOnceIsRetried() throws Exception {
        Recipe r = Recipe.of(config(), null, Backends.best());
        double[] threads;
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            threads = run(r, ex);
        }
        try (SparkUnitExecutor ex = new SparkUnitExecutor(sc, r, new FailOnce(SparkUnitExecutor.runnerFor(r, null)))) {
            assertArrayEquals(threads, run(r, ex), 0);
        }
        assertTrue(FailOnce.FAILURES.get() >= 2, "the failure was injected and the unit ran again");
    }
}
