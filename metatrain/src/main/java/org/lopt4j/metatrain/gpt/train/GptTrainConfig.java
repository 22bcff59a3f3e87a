package org.lopt4j.metatrain.gpt.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.lopt4j.metatrain.gpt.model.GptShape;
import org.lopt4j.metatrain.outer.ConfigChecks;

/**
 * A G.pt training run (gpt_checkpoints.md §5, §7): the model's size, whether training pairs get the permutation
 * augmentation of §2 (G.pt's choice; off for the ablation), AdamW with decoupled weight decay on linear weights
 * only, a global gradient-norm clip, a cosine learning rate with linear warmup, an EMA of the weights, and the number
 * of respaced steps used when sampling.
 */
public record GptTrainConfig(int dim, int layers, int heads, int chunk, boolean predictX0, boolean augment, int batch, int steps, double lr,
                             double warmupFraction, double weightDecay, double maxGradNorm, double emaDecay, int samplingSteps,
                             long seed, double checkpointSeconds) {
    public GptTrainConfig {
        ConfigChecks.positive("batch", batch);
        ConfigChecks.positive("steps", steps);
        ConfigChecks.positive("samplingSteps", samplingSteps);
        ConfigChecks.finitePositive("lr", lr);
        ConfigChecks.notNegative("weightDecay", weightDecay);
        ConfigChecks.notNegative("maxGradNorm", maxGradNorm);
        ConfigChecks.notNegative("checkpointSeconds", checkpointSeconds);
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new IllegalArgumentException("warmupFraction must be in [0, 1), got " + warmupFraction);
        if (!(emaDecay >= 0 && emaDecay < 1)) throw new IllegalArgumentException("emaDecay must be in [0, 1), got " + emaDecay);
        if (samplingSteps > 1000) throw new IllegalArgumentException("samplingSteps must be at most the 1,000 diffusion steps, got " + samplingSteps);
        new GptShape(dim, layers, heads, chunk, predictX0);
    }

    /**
     * G.pt-nano: width 64, 4 blocks of 4 heads, chunks of 256, batch 64, 2,000 AdamW steps at 4e-4 (wd 0.1, clip 0.75,
     * 5 % warmup then cosine), EMA 0.999 (the paper's 0.9999 averages over more steps than the run has), 50 sampling
     * steps.
     */
    public static GptTrainConfig nano() { return new GptTrainConfig(64, 4, 4, 256, true, true, 64, 2000, 4e-4, 0.05, 0.1, 0.75, 0.999, 50, 0, 60); }

    public GptShape shape() { return new GptShape(dim, layers, heads, chunk, predictX0); }

    /** The learning rate at {@code step}: {@code 0.5·lr·(1 + cos(π·s/T))} times a linear warmup from 0. */
    public double lrAt(int step) {
        double cos = 0.5 * lr * (1 + Math.cos(Math.PI * step / steps));
        double warm = warmupFraction * steps;
        return warm > 0 && step < warm ? cos * step / warm : cos;
    }

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** This config with the fields named in {@code overrides} replaced; an unknown field is an error. */
    public GptTrainConfig with(Map<String, ?> overrides) { return ConfigChecks.with(JSON, this, overrides, GptTrainConfig.class); }

    /** Reads a JSON object over the nano defaults. */
    public static GptTrainConfig read(Path file) throws IOException { return ConfigChecks.read(JSON, file, nano()::with); }

    public String toJson() { return ConfigChecks.toJson(JSON, this); }

    public static GptTrainConfig fromJson(String json) throws IOException { return JSON.readValue(json, GptTrainConfig.class); }
}
