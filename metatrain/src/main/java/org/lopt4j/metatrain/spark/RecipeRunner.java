package org.lopt4j.metatrain.spark;

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
    /** The recipe of {@code configJson} in this JVM. */
    Recipe recipe() {
        return BuiltPerJvm.of(Recipe.class, configJson, dataDir, (j, d) -> {
            MetaConfig c = MetaConfig.fromJson(j);
            return Recipe.of(c, d, Recipe.backend(c));
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
