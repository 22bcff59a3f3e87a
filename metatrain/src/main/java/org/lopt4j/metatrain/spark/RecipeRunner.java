package org.lopt4j.metatrain.spark;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.lopt4j.metatrain.outer.EstimatorState;
import org.lopt4j.metatrain.outer.GradientEstimator;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.StateCodec;
import org.lopt4j.tensor.RandomKey;

/**
 * The default {@link UnitRunner}: rebuilds the recipe from its config JSON once per executor JVM (cached), decodes the
 * worker state, runs the estimator and encodes the next state. The same config gives the same estimator on every
 * JVM, so a unit computes the same result wherever and however often it runs.
 */
public record RecipeRunner(String configJson, String dataDir) implements UnitRunner {
    private static final ConcurrentHashMap<String, Recipe> RECIPES = new ConcurrentHashMap<>();

    /** The recipe of {@code configJson} in this JVM. */
    Recipe recipe() {
        return RECIPES.computeIfAbsent(configJson + "\u0000" + dataDir, k -> {
            try {
                MetaConfig c = MetaConfig.fromJson(configJson);
                return Recipe.of(c, dataDir == null ? null : Path.of(dataDir), Recipe.backend(c));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override public SparkResult run(SparkUnit u, double[] theta) {
        long t0 = System.nanoTime();
        Recipe r = recipe();
        EstimatorState s = StateCodec.decode(u.state(), r, theta);
        GradientEstimator.Estimate e = r.estimator().estimate(theta, new RandomKey(u.k0(), u.k1()), s);
        return new SparkResult(u.index(), u.id(), u.estimatorId(), e.meanLoss(), e.grad(), StateCodec.encode(e.next()), (System.nanoTime() - t0) / 1e9);
    }
}
