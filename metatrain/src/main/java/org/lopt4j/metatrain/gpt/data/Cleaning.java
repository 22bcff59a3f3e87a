package org.lopt4j.metatrain.gpt.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * G.pt's cleaning and scaling (gpt_checkpoints.md §1): runs with a NaN/Inf or any |θ| > 10 are dropped; σ is the
 * standard deviation (population, over every value) of up to 25,000 checkpoints of the kept runs drawn without
 * replacement with {@code seed}; {@code coeff = 0.538/σ} scales stored vectors for the generative model.
 */
public record Cleaning(int[] kept, List<Dropped> dropped, int sampled, double sigma, double coeff) {
    /** The |θ| above which a run is dropped. */
    public static final double MAX_ABS = 10;
    /** Checkpoints σ is measured on, at most. */
    public static final int SAMPLE = 25_000;
    /** The standard deviation the scaled vectors get. */
    public static final double TARGET_STD = 0.538;

    /** A dropped run: its index (seed) and why. */
    public record Dropped(int run, String reason) {}

    /** Cleans {@code c} and measures σ with {@code seed}. */
    public static Cleaning of(Checkpoints c, long seed) {
        List<Integer> keep = new ArrayList<>();
        List<Dropped> dropped = new ArrayList<>();
        int per = c.k() * c.p();
        for (int r = 0; r < c.runs(); r++) {
            String why = null;
            for (int i = r * per; i < (r + 1) * per && why == null; i++) {
                float v = c.theta()[i];
                if (!Float.isFinite(v)) why = "non-finite value at checkpoint " + (i - r * per) / c.p();
                else if (Math.abs(v) > MAX_ABS) why = "|theta| = " + Math.abs(v) + " > " + MAX_ABS + " at checkpoint " + (i - r * per) / c.p();
            }
            if (why == null) keep.add(r);
            else dropped.add(new Dropped(c.run()[r], why));
        }
        int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
        int total = kept.length * c.k(), n = Math.min(SAMPLE, total);
        if (n == 0) return new Cleaning(kept, dropped, 0, Double.NaN, Double.NaN);
        int[] pool = new int[total];
        for (int i = 0; i < total; i++) pool[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {   // partial Fisher-Yates: n distinct checkpoints
            int j = i + rng.nextInt(total - i), t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        double sum = 0, sq = 0;
        for (int pass = 0; pass < 2; pass++) {   // mean first, then the squared deviations from it
            double mean = sum / ((double) n * c.p());
            for (int i = 0; i < n; i++) {
                int ck = pool[i], at = (kept[ck / c.k()] * c.k() + ck % c.k()) * c.p();
                for (int q = 0; q < c.p(); q++) {
                    double v = c.theta()[at + q];
                    if (pass == 0) sum += v;
                    else sq += (v - mean) * (v - mean);
                }
            }
        }
        double sigma = Math.sqrt(sq / ((double) n * c.p()));
        return new Cleaning(kept, dropped, n, sigma, TARGET_STD / sigma);
    }
}
