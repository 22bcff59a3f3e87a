package org.lopt4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.MetaState;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.metatrain.outer.UnitExecutor;
import org.lopt4j.metatrain.spark.SparkUnitExecutor;
import org.lopt4j.tensor.Backends;

/**
 * Measures, for BENCHMARKS.md, the outer steps per second of the default recipe on the thread pool and on each Spark
 * master given, and Spark's cost per task (empty tasks). Usage: {@code SparkOverhead STEPS MASTER...}, e.g.
 * {@code SparkOverhead 30 'local[2]' 'local-cluster[2,1,1024]'} (a local cluster needs {@code SPARK_HOME} with a
 * {@code jars} folder, which may be empty, and {@code SPARK_SCALA_VERSION=2.13}).
 */
public final class SparkOverhead {
    private SparkOverhead() {}

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    /** Median wall seconds per outer step over {@code steps} steps after 5 warm-up steps. */
    static double outerStep(Recipe r, UnitExecutor ex, int steps) throws Exception {
        MetaTrainer t = new MetaTrainer(r, ex, null);
        List<Double> secs = new ArrayList<>();
        MetaState s = t.run(t.fresh(), 5, null);
        t.run(s, steps, rep -> secs.add(rep.wallSeconds()));
        return median(secs);
    }

    public static void main(String[] args) throws Exception {
        int steps = Integer.parseInt(args[0]);
        Recipe r = Recipe.of(MetaConfig.defaults().with(Map.of("outerSteps", Integer.MAX_VALUE)), null, Backends.best());
        try (ThreadPoolUnitExecutor ex = ThreadPoolUnitExecutor.perCore()) {
            double s = outerStep(r, ex, steps);
            System.out.printf("threads: %.1f ms per outer step (%.2f steps/s)%n", s * 1e3, 1 / s);
        }
        for (String master : Arrays.copyOfRange(args, 1, args.length)) {
            try (SparkUnitExecutor ex = SparkUnitExecutor.start(master, r, null)) {
                double s = outerStep(r, ex, steps);
                System.out.printf("spark %s: %.1f ms per outer step (%.2f steps/s)%n", master, s * 1e3, 1 / s);
                List<Double> per = new ArrayList<>();
                for (int k = 0; k < 15; k++) {
                    long t0 = System.nanoTime();
                    ex.context().parallelize(java.util.stream.IntStream.range(0, 64).boxed().toList(), 64).map(x -> x + 1).collect();
                    per.add((System.nanoTime() - t0) / 1e9 / 64);
                }
                System.out.printf("spark %s: %.2f ms per empty task (median of 15 jobs of 64 tasks)%n", master, median(per.subList(5, 15)) * 1e3);
            }
        }
    }
}
