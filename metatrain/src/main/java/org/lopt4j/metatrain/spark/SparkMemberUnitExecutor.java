package org.lopt4j.metatrain.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.lopt4j.metatrain.selftrain.MemberUnit;
import org.lopt4j.metatrain.selftrain.MemberUnitExecutor;
import org.lopt4j.metatrain.selftrain.SelfTrainConfig;
import org.lopt4j.metatrain.selftrain.SelfTrainer;

/**
 * Self-training's {@link MemberUnitExecutor} on Apache Spark: each unit (its members' θs, a few KB) is one Spark task;
 * each executor JVM rebuilds the trainer once from the config JSON, so a unit computes there what it computes on the
 * driver. Retries are safe: units are idempotent.
 */
public final class SparkMemberUnitExecutor implements MemberUnitExecutor {
    private final JavaSparkContext sc;
    private final String configJson, dataDir;
    private final boolean owned;

    /** Runs units of {@code config} on an existing context (not stopped by {@link #close}). */
    public SparkMemberUnitExecutor(JavaSparkContext sc, SelfTrainConfig config, Path dataDir) { this(sc, config, dataDir, false); }

    private SparkMemberUnitExecutor(JavaSparkContext sc, SelfTrainConfig config, Path dataDir, boolean owned) {
        this.sc = sc;
        this.configJson = config.toJson();
        this.dataDir = dataDir == null ? null : dataDir.toAbsolutePath().toString();
        this.owned = owned;
    }

    /** A context of its own on {@code master} (e.g. {@code local[2,4]}; null: what spark-submit sets). */
    public static SparkMemberUnitExecutor start(String master, SelfTrainConfig config, Path dataDir) {
        return new SparkMemberUnitExecutor(SparkUnitExecutor.context("lopt4j-selftrain", master), config, dataDir, true);
    }

    @Override public List<MemberUnit.Result> runAll(SelfTrainer trainer, List<MemberUnit> units) {
        if (!trainer.config().toJson().equals(configJson)) throw new IllegalArgumentException("this executor runs another self-training config");
        if (units.isEmpty()) return List.of();
        String json = configJson, dir = dataDir;
        return new ArrayList<>(sc.parallelize(units, units.size()).map(u -> u.run(BuiltPerJvm.of(SelfTrainer.class, json, dir, (j, d) -> {
            SelfTrainConfig c = SelfTrainConfig.fromJson(j);
            return new SelfTrainer(c, d, SelfTrainer.backend(c), null);
        }))).collect());
    }

    @Override public String describe() { return "Spark " + sc.master() + " (" + sc.defaultParallelism() + " slots)"; }

    @Override public void close() { if (owned) sc.stop(); }
}
