package org.lopt4j.metatrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.tensor.Backends;

/**
 * Integration: a {@code local-cluster} of two executor JVMs on 127.0.0.1; the executor running one unit of outer step
 * 1 is killed with SIGKILL mid-unit; Spark re-runs the lost unit elsewhere and the run ends on the thread pool's θ.
 */
@Tag("integration")
class SparkClusterKillTest {
    /** Stalls the first attempt of unit 0 of step 1 (cluster-wide, by a marker file) and publishes its JVM's pid. */
    record StallOnce(UnitRunner inner, String dir) implements UnitRunner {
        @Override public SparkResult run(SparkUnit u, double[] theta) {
            if (u.step() == 1 && u.index() == 0) {
                try {
                    Files.createFile(Path.of(dir, "stalled"));
                    Files.writeString(Path.of(dir, "pid.tmp"), Long.toString(ProcessHandle.current().pid()));
                    Files.move(Path.of(dir, "pid.tmp"), Path.of(dir, "pid"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    Thread.sleep(120_000);                                              // killed long before this ends
                } catch (FileAlreadyExistsException again) {
                    // the re-run: proceed
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return inner.run(u, theta);
        }
    }

    @Test void killedExecutorsUnitIsRerunAndTheStepCompletes(@TempDir Path dir) throws Exception {
        Recipe r = Recipe.of(SparkUnitExecutorTest.config(), null, Backends.best());
        double[] threads;
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            threads = SparkUnitExecutorTest.run(r, ex);
        }
        Files.createDirectories(Path.of(System.getenv().getOrDefault("SPARK_HOME", "."), "jars"));
        SparkConf conf = new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("lopt4j-kill-test").set("spark.ui.enabled", "false")
                .set("spark.log.level", "WARN").set("spark.task.maxFailures", "4");
        SparkUnitExecutor.localCluster(conf);
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        try {
            Thread killer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Path pid = dir.resolve("pid");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                    while (!Files.exists(pid) && System.nanoTime() < deadline) Thread.sleep(20);
                    ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SparkUnitExecutor ex = new SparkUnitExecutor(sc, r, new StallOnce(SparkUnitExecutor.runnerFor(r, null), dir.toString()))) {
                assertArrayEquals(threads, SparkUnitExecutorTest.run(r, ex), 0, "bit for bit after the re-run");
            }
            killer.join(10_000);
            assertTrue(Files.exists(dir.resolve("pid")), "a unit stalled and its executor was killed");
        } finally {
            sc.stop();
        }
    }
}
