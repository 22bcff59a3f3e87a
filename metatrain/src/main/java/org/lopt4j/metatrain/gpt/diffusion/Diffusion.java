package org.lopt4j.metatrain.gpt.diffusion;

/**
 * A Gaussian diffusion (DDPM; gpt_checkpoints.md §4) in float64: {@code ᾱ_t = Π_{s≤t}(1 − β_s)}, the forward process
 * {@code x_t = sqrt(ᾱ_t)·x0 + sqrt(1 − ᾱ_t)·ε}, the posterior mean coefficients of q(x_{t−1} | x_t, x0), and
 * FIXED_LARGE sampling variances. {@code timesteps[i]} is the step of the original 1,000-step process that step i
 * stands for (the identity unless respaced); the model is always told the original step.
 */
public final class Diffusion {
    private final double[] betas, alphasCumprod;
    private final int[] timesteps;

    private Diffusion(double[] betas, int[] timesteps) {
        this.betas = betas;
        this.timesteps = timesteps;
        this.alphasCumprod = new double[betas.length];
        double a = 1;
        for (int t = 0; t < betas.length; t++) {
            if (!(betas[t] > 0 && betas[t] < 1)) throw new IllegalArgumentException("beta " + t + " = " + betas[t] + " is outside (0, 1)");
            a *= 1 - betas[t];
            alphasCumprod[t] = a;
        }
    }

    /** G.pt's schedule: {@code β = linspace(1e-4, 0.02, steps)} (1,000 steps). */
    public static Diffusion linear(int steps) {
        double[] b = new double[steps];
        int[] ts = new int[steps];
        for (int t = 0; t < steps; t++) {
            b[t] = 1e-4 + (0.02 - 1e-4) * t / (steps - 1);
            ts[t] = t;
        }
        return new Diffusion(b, ts);
    }

    /**
     * The process on {@code count} of this one's steps, evenly spaced from the first to the last (ADM's
     * {@code space_timesteps(T, [count])}), with betas {@code 1 − ᾱ_{s_i}/ᾱ_{s_{i−1}}} so ᾱ at each kept step is unchanged.
     */
    public Diffusion respaced(int count) {
        int n = steps();
        if (count < 1 || count > n) throw new IllegalArgumentException("cannot respace " + n + " steps to " + count);
        int[] kept = new int[count];
        if (count == 1) kept[0] = n - 1;
        else {
            double stride = (n - 1) / (double) (count - 1);
            for (int i = 0; i < count; i++) kept[i] = (int) Math.round(i * stride);
        }
        double[] b = new double[count];
        int[] ts = new int[count];
        double prev = 1;
        for (int i = 0; i < count; i++) {
            b[i] = 1 - alphasCumprod[kept[i]] / prev;
            prev = alphasCumprod[kept[i]];
            ts[i] = timesteps[kept[i]];
        }
        return new Diffusion(b, ts);
    }

    public int steps() { return betas.length; }
    public double beta(int i) { return betas[i]; }
    public double alphaCumprod(int i) { return alphasCumprod[i]; }
    /** ᾱ_{i−1}, 1 before the first step. */
    public double alphaCumprodPrev(int i) { return i == 0 ? 1 : alphasCumprod[i - 1]; }
    /** The original step that step {@code i} stands for. */
    public int timestep(int i) { return timesteps[i]; }

    /** Coefficient of x0 in the posterior mean: {@code β_i·sqrt(ᾱ_{i−1})/(1 − ᾱ_i)}. */
    public double posteriorX0(int i) { return betas[i] * Math.sqrt(alphaCumprodPrev(i)) / (1 - alphasCumprod[i]); }

    /** Coefficient of x_i in the posterior mean: {@code (1 − ᾱ_{i−1})·sqrt(α_i)/(1 − ᾱ_i)}. */
    public double posteriorXt(int i) { return (1 - alphaCumprodPrev(i)) * Math.sqrt(1 - betas[i]) / (1 - alphasCumprod[i]); }

    /** Variance of q(x_{i−1} | x_i, x0): {@code β_i·(1 − ᾱ_{i−1})/(1 − ᾱ_i)}. */
    public double posteriorVariance(int i) { return betas[i] * (1 - alphaCumprodPrev(i)) / (1 - alphasCumprod[i]); }

    /** FIXED_LARGE: {@code β_i}, and at the first step the posterior variance of the second (ADM's convention). */
    public double samplingVariance(int i) { return i == 0 ? (steps() > 1 ? posteriorVariance(1) : betas[0]) : betas[i]; }

    /** {@code x_i = sqrt(ᾱ_i)·x0 + sqrt(1 − ᾱ_i)·ε}. */
    public float[] noised(float[] x0, float[] eps, int i) {
        double a = Math.sqrt(alphasCumprod[i]), s = Math.sqrt(1 - alphasCumprod[i]);
        float[] out = new float[x0.length];
        for (int j = 0; j < x0.length; j++) out[j] = (float) (a * x0[j] + s * eps[j]);
        return out;
    }

    /** The signal implied by a noise prediction: {@code x0 = (x_i − sqrt(1 − ᾱ_i)·ε)/sqrt(ᾱ_i)}. */
    public float[] x0FromEps(float[] xt, float[] eps, int i) {
        double a = Math.sqrt(alphasCumprod[i]), s = Math.sqrt(1 - alphasCumprod[i]);
        float[] out = new float[xt.length];
        for (int j = 0; j < xt.length; j++) out[j] = (float) ((xt[j] - s * eps[j]) / a);
        return out;
    }
}
