package org.lopt4j.metatrain.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.lopt4j.metatrain.rl.EpisodeExecutor;
import org.lopt4j.metatrain.rl.EpisodeUnit;
import org.lopt4j.metatrain.rl.LhoptConfig;
import org.lopt4j.metatrain.rl.LhoptTrainer;

/**
 * LHOPT's {@link EpisodeExecutor} on Apache Spark: each episode (its key, the policy and the normalizer's state, a few
 * hundred KB) is one Spark task; each executor JVM builds the trainer once from the config JSON, so an episode plays
 * there as it plays on the driver. Retries are safe: an episode unit always plays the same episode.
 */
public final class SparkEpisodeExecutor implements EpisodeExecutor {
    private final JavaSparkContext sc;
    private final String configJson, dataDir;
    private final boolean owned;

    /** Plays episodes of {@code config} on an existing context (not stopped by {@link #close}). */
    public SparkEpisodeExecutor(JavaSparkContext sc, LhoptConfig config, Path dataDir) { this(sc, config, dataDir, false); }

    private SparkEpisodeExecutor(JavaSparkContext sc, LhoptConfig config, Path dataDir, boolean owned) {
        this.sc = sc;
        this.configJson = config.toJson();
        this.dataDir = dataDir == null ? null : dataDir.toAbsolutePath().toString();
        this.owned = owned;
    }

    /** A context of its own on {@code master} (e.g. {@code local[2,4]}; null: what spark-submit sets). */
    public static SparkEpisodeExecutor start(String master, LhoptConfig config, Path dataDir) {
        return new SparkEpisodeExecutor(SparkUnitExecutor.context("lopt4j-lhopt", master), config, dataDir, true);
    }

    @Override public List<EpisodeUnit.Played> runAll(LhoptTrainer trainer, List<EpisodeUnit> units) {
        if (!trainer.config().toJson().equals(configJson)) throw new IllegalArgumentException("this executor plays another LHOPT config");
        if (units.isEmpty()) return List.of();
        String json = configJson, dir = dataDir;
        return new ArrayList<>(sc.parallelize(units, units.size()).map(u -> u.play(BuiltPerJvm.of(LhoptTrainer.class, json, dir, (j, d) -> new LhoptTrainer(LhoptConfig.fromJson(j), d)))).collect());
    }

    @Override public String describe() { return "Spark " + sc.master() + " (" + sc.defaultParallelism() + " slots)"; }

    @Override public void close() { if (owned) sc.stop(); }
}
