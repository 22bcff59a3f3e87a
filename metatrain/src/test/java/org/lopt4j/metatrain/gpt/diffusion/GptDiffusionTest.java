package org.lopt4j.metatrain.gpt.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GptDiffusionTest {
    private final Diffusion d = Diffusion.linear(1000);

    @Test void constantsOfTheLinearSchedule() {
        assertEquals(1e-4, d.beta(0), 1e-15);
        assertEquals(0.02, d.beta(999), 1e-15);
        assertEquals(4.04e-5, d.alphaCumprod(999), 0.01e-5);
        assertEquals(0.0064, Math.sqrt(d.alphaCumprod(999)), 0.00005);
    }

    /** The posterior coefficients against Bayes' rule for the Gaussians q(x_{t−1}|x0) and q(x_t|x_{t−1}). */
    @Test void posteriorMatchesBayes() {
        for (int t : new int[] {1, 17, 500, 999}) {
            double abPrev = d.alphaCumprod(t - 1), a = 1 - d.beta(t), b = d.beta(t);
            double precision = 1 / (1 - abPrev) + a / b, var = 1 / precision;
            assertEquals(var, d.posteriorVariance(t), 1e-12 * Math.max(1, var));
            assertEquals(var * Math.sqrt(abPrev) / (1 - abPrev), d.posteriorX0(t), 1e-9);
            assertEquals(var * Math.sqrt(a) / b, d.posteriorXt(t), 1e-9);
        }
    }

    @Test void respacingKeepsTheCumulativeProductsAndTheOriginalSteps() {
        Diffusion r = d.respaced(50);
        assertEquals(50, r.steps());
        assertEquals(0, r.timestep(0));
        assertEquals(999, r.timestep(49));
        for (int i = 0; i < 50; i++) assertEquals(d.alphaCumprod(r.timestep(i)), r.alphaCumprod(i), 1e-12);
        assertEquals(d.beta(0), r.beta(0), 1e-15);
        assertEquals(d.beta(500), d.respaced(1000).beta(500), 1e-15, "respacing to every step is the identity");
    }

    /** A model that knows x0 makes ancestral sampling return x0, on the full and on a respaced chain. */
    @Test void samplingWithAnOracleRecoversX0() {
        SplittableRandom rng = new SplittableRandom(5);
        float[][] x0 = new float[3][40];
        for (float[] row : x0) for (int j = 0; j < row.length; j++) row[j] = (float) rng.nextGaussian();
        for (Diffusion chain : new Diffusion[] {d, d.respaced(50)}) {
            float[][] got = AncestralSampler.sample(chain, (xt, t, i) -> x0, 3, 40, new SplittableRandom(9));
            for (int r = 0; r < 3; r++) assertArrayEquals(x0[r], got[r], 1e-5f);
        }
    }

    /** A noised vector maps back to its x0 given the true noise. */
    @Test void epsilonParameterizationInverts() {
        SplittableRandom rng = new SplittableRandom(2);
        float[] x0 = new float[20], eps = new float[20];
        for (int j = 0; j < 20; j++) { x0[j] = (float) rng.nextGaussian(); eps[j] = (float) rng.nextGaussian(); }
        for (int t : new int[] {0, 300, 900}) assertArrayEquals(x0, d.x0FromEps(d.noised(x0, eps, t), eps, t), t > 800 ? 2e-3f : 1e-4f);
    }
}
