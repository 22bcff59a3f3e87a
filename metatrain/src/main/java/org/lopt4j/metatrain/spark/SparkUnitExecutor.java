package org.lopt4j.metatrain.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.lopt4j.metatrain.outer.EstimatorUnit;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.StateCodec;
import org.lopt4j.metatrain.outer.UnitExecutor;
import org.lopt4j.metatrain.outer.UnitResult;

/**
 * A {@link UnitExecutor} on Apache Spark's RDD API: θ goes out once per outer step as a broadcast; units carry only ids,
 * seeds and encoded worker states; results come back as small records in the units' order. Units that took under
 * {@link #PACK_BELOW_SECONDS} in the previous step are packed several per Spark task. Retries are safe because units
 * are idempotent: Spark re-runs a failed or lost task and the outer loop sees one result per unit.
 */
public final class SparkUnitExecutor implements UnitExecutor {
    /** Units shorter than this are packed several per task (Spark costs about 1–10 ms per task). */
    public static final double PACK_BELOW_SECONDS = 0.02;

    private final JavaSparkContext sc;
    private final Recipe recipe;
    private final UnitRunner runner;
    private final boolean owned;
    private double lastMedianSeconds = Double.NaN;

    /**
     * Runs {@code recipe}'s units with {@code runner} on an existing context (not stopped by {@link #close}); the driver
     * decodes returned states with {@code recipe}.
     */
    public SparkUnitExecutor(JavaSparkContext sc, Recipe recipe, UnitRunner runner) {
        this(sc, recipe, runner, false);
    }

    private SparkUnitExecutor(JavaSparkContext sc, Recipe recipe, UnitRunner runner, boolean owned) {
        this.sc = sc;
        this.recipe = recipe;
        this.runner = runner;
        this.owned = owned;
    }

    /** The default runner for {@code r}: the recipe rebuilt from its config on each executor. */
    public static UnitRunner runnerFor(Recipe r, java.nio.file.Path dataDir) {
        return new RecipeRunner(r.config().toJson(), dataDir == null ? null : dataDir.toAbsolutePath().toString());
    }

    /** A context of its own on {@code master} (e.g. {@code local[2,4]}), logging at WARN, running {@code r}'s units. */
    public static SparkUnitExecutor start(String master, Recipe r, java.nio.file.Path dataDir) {
        return new SparkUnitExecutor(context("lopt4j-metatrain", master), r, runnerFor(r, dataDir), true);
    }

    /** A context of its own named {@code app} on {@code master} (null: what spark-submit sets), logging at WARN. */
    static JavaSparkContext context(String app, String master) {
        SparkConf conf = new SparkConf().setAppName(app).set("spark.ui.enabled", "false").set("spark.log.level", "WARN");
        if (master != null) conf.setMaster(master);
        if (master != null && master.startsWith("local-cluster")) localCluster(conf);
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }

    /**
     * A {@code local-cluster[n,cores,mb]} test cluster starts executor JVMs from {@code $SPARK_HOME/jars} (may be empty)
     * and {@code $SPARK_SCALA_VERSION}; they get this JVM's class path and module flags.
     */
    static void localCluster(SparkConf conf) {
        String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> java.nio.file.Path.of(p).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        conf.set("spark.executor.extraClassPath", cp);                      // executors start in their own work folders
        conf.set("spark.executor.extraJavaOptions", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                .stream().filter(a -> a.startsWith("--add") || a.startsWith("--enable") || a.startsWith("-D") || a.startsWith("-XX:+Ignore")).toList()));
    }

    /** Units per Spark task for the next step, from the previous step's median unit time. */
    int unitsPerTask() {
        if (!(lastMedianSeconds > 0) || lastMedianSeconds >= PACK_BELOW_SECONDS) return 1;
        return (int) Math.ceil(PACK_BELOW_SECONDS / lastMedianSeconds);
    }

    @Override public List<UnitResult> runAll(List<EstimatorUnit> units) {
        if (units.isEmpty()) return List.of();
        double[] theta = units.get(0).theta();
        List<SparkUnit> shipped = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            EstimatorUnit u = units.get(i);
            if (u.theta() != theta && !Arrays.equals(u.theta(), theta)) throw new IllegalArgumentException("units of one call must share θ");
            shipped.add(new SparkUnit(i, u.id(), u.step(), u.estimatorId(), u.key().k0(), u.key().k1(), StateCodec.encode(u.state())));
        }
        int slices = Math.max(1, (int) Math.ceil(units.size() / (double) unitsPerTask()));
        Broadcast<double[]> th = sc.broadcast(theta);
        UnitRunner run = runner;
        List<SparkResult> results;
        try {
            results = sc.parallelize(shipped, slices).map(u -> run.run(u, th.value())).collect();
        } finally {
            th.destroy();
        }
        List<UnitResult> out = new ArrayList<>();
        double[] secs = new double[results.size()];
        for (SparkResult r : results) {
            EstimatorUnit u = units.get(r.index());
            if (!u.id().equals(r.id())) throw new IllegalStateException("result " + r.id() + " at the place of unit " + u.id());
            out.add(new UnitResult(r.id(), r.estimatorId(), r.meanLoss(), r.grad(), StateCodec.decode(r.next(), recipe, theta), r.seconds()));
            secs[out.size() - 1] = r.seconds();
        }
        Arrays.sort(secs);
        lastMedianSeconds = secs[secs.length / 2];
        return out;
    }

    /** The Spark context units run on. */
    public JavaSparkContext context() { return sc; }

    @Override public String describe() { return "Spark " + sc.master() + " (" + sc.defaultParallelism() + " slots)"; }

    @Override public void close() { if (owned) sc.stop(); }
}
