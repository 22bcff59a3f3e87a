package org.lopt4j.metatrain.gpt.diffusion;

import java.util.random.RandomGenerator;

/**
 * DDPM ancestral sampling (gpt_checkpoints.md §4): from {@code x ~ N(0, I)}, at each step from the last to the first,
 * {@code x ← c1·x̂0 + c2·x (+ σ·z except at the first step)}, with the x0 the model predicts and no clipping.
 */
public final class AncestralSampler {
    /** A model's signal prediction for a batch of noised vectors at one original diffusion step. */
    @FunctionalInterface
    public interface X0Model {
        float[][] predict(float[][] xt, int timestep, int stepIndex);
    }

    private AncestralSampler() {}

    /** Samples {@code rows} vectors of {@code p} values over every step of {@code d}. */
    public static float[][] sample(Diffusion d, X0Model model, int rows, int p, RandomGenerator rng) {
        float[][] x = new float[rows][p];
        for (float[] row : x) for (int j = 0; j < p; j++) row[j] = (float) rng.nextGaussian();
        for (int i = d.steps() - 1; i >= 0; i--) {
            float[][] x0 = model.predict(x, d.timestep(i), i);
            double c1 = d.posteriorX0(i), c2 = d.posteriorXt(i), sigma = i > 0 ? Math.sqrt(d.samplingVariance(i)) : 0;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < p; j++) {
                    double mean = c1 * x0[r][j] + c2 * x[r][j];
                    x[r][j] = (float) (i > 0 ? mean + sigma * rng.nextGaussian() : mean);
                }
            }
        }
        return x;
    }
}
