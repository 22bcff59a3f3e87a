package org.lopt4j.metatrain.cli;

import java.nio.file.Path;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.metatrain.outer.UnitExecutor;
import org.lopt4j.metatrain.rl.EpisodeExecutor;
import org.lopt4j.metatrain.rl.LhoptConfig;
import org.lopt4j.metatrain.selftrain.MemberUnitExecutor;
import org.lopt4j.metatrain.selftrain.SelfTrainConfig;

/** The unit executors the command line offers: a thread pool, or Spark when its classes are on the class path. */
final class Engines {
    private Engines() {}

    static UnitExecutor start(String engine, String master, int threads, Recipe r, Path dataDir) {
        return switch (engine) {
            case "threads" -> new ThreadPoolUnitExecutor(threads);
            case "spark" -> {
                try {
                    yield org.lopt4j.metatrain.spark.SparkUnitExecutor.start(master, r, dataDir);
                } catch (NoClassDefFoundError e) {
                    throw sparkMissing(e);
                }
            }
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "'; known: threads, spark");
        };
    }

    /** Where self-training's member units run. */
    static MemberUnitExecutor members(String engine, String master, int threads, SelfTrainConfig c, Path dataDir) {
        return switch (engine) {
            case "threads" -> MemberUnitExecutor.threads(threads);
            case "spark" -> {
                try {
                    yield org.lopt4j.metatrain.spark.SparkMemberUnitExecutor.start(master, c, dataDir);
                } catch (NoClassDefFoundError e) {
                    throw sparkMissing(e);
                }
            }
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "'; known: threads, spark");
        };
    }

    /** Where LHOPT's episodes play when they play at once ({@code c.actors()} > 1). */
    static EpisodeExecutor episodes(String engine, String master, LhoptConfig c, Path dataDir) {
        return switch (engine) {
            case "threads" -> EpisodeExecutor.threads(c.actors());
            case "spark" -> {
                try {
                    yield org.lopt4j.metatrain.spark.SparkEpisodeExecutor.start(master, c, dataDir);
                } catch (NoClassDefFoundError e) {
                    throw sparkMissing(e);
                }
            }
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "'; known: threads, spark");
        };
    }

    private static IllegalStateException sparkMissing(NoClassDefFoundError e) {
        return new IllegalStateException("--engine spark needs Apache Spark (spark-core_2.13 4.2.0) on the class path: "
                + "the launcher includes it; under spark-submit the cluster provides it (" + e.getMessage() + ")");
    }
}
