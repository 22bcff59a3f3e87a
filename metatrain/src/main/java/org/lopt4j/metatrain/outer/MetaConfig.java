package org.lopt4j.metatrain.outer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.learned.velo.VeloAdamStart;

/**
 * A meta-training recipe (outer_training.md §11), as read from a JSON config file or the command line. The defaults
 * are the README's main job: small_fc_lopt (hidden 4) meta-trained with PES (trunc 30, σ 0.01) on
 * ImageMLP_FashionMnist8_Relu32 with 2,000-step episodes and random initial offsets, 8 estimators of 4 problems per
 * outer step (32 antithetic pairs, as upstream's 4 workers × 2 estimators × 4 tasks), clipped Adam on θ.
 *
 * @param lopt               {@code small_fc_lopt} (hidden 4), {@code small_fc_lopt32} (μLO width) or {@code mlp_lopt}
 * @param task               a registered task name ({@code lopt4j tasks})
 * @param estimator          {@code pes}, {@code tes} or {@code full_es}
 * @param truncLength        inner steps per estimator call (PES trunc_length, TES unroll_length)
 * @param sigma              perturbation standard deviation
 * @param signDelta          sign-trick scalar, 0 = off
 * @param schedule           {@code constant:L}, {@code loguniform:LO:HI} (full ES: the unroll lengths)
 * @param initialOffset      random initial iteration offset R (0 = none)
 * @param problems           inner problems per estimator (num_tasks)
 * @param estimators         estimator calls per outer step
 * @param outerSteps         outer steps to run
 * @param outerLr            Adam learning rate on θ
 * @param clip               gradient clip by value (0 = off)
 * @param accumulate         gradient accumulation k
 * @param resampleFrequency  re-create each estimator with probability 1/f after a step (0 = never)
 * @param seed               run seed: every key derives from it, the outer step and the estimator id
 * @param evalSteps          inner steps of each evaluation run
 * @param evalSeeds          held-out initialization/data seeds in the evaluation
 * @param adamLr             the Adam learning rate the evaluation compares against
 * @param checkpointSeconds  checkpoint interval in seconds (0 = after every outer step)
 * @param lossType           full ES's meta-loss: avg, min, last or last_recompute
 * @param recomputeSamples   full ES last_recompute: fresh train batches averaged
 * @param clipLossDiff       full ES: clip of the ± loss difference (0 = off)
 * @param metaLossSplit      meta-loss of a truncated step: "" (training loss before the update), same_data, train,
 *                           inner_valid, outer_valid or test (new parameters on that data)
 * @param device             backend: {@code auto} (the best that starts), {@code simd}, {@code scalar}, {@code cuda}, …
 * @param initTheta          a θ file ({@code lopt.safetensors}) to start from instead of the meta-training init, as
 *                           VeLO's later phases start from the previous phase's θ ("" = none)
 * @param adamStart          VeLO only: start from {@link VeloAdamStart}'s Adam-like θ with this step multiplier
 *                           instead of Haiku's random initialization (0 = off)
 * @param metaLossRamp       PES and TES: weight the loss of step t of an L-step episode by {@code (1 + p)·(t/L)^p}, so the
 *                           meta-objective leans towards the end of training (0 = every step alike, as upstream)
 * @param loptOptions        how the learned optimizer's updates are applied in the inner problems: PyLO's lr, weight
 *                           decay and per-tensor gradient norm limit ({@code {"lr": 1, "weightDecay": 0, "maxGradNorm": 0}})
 */
public record MetaConfig(String lopt, String task, String estimator, int truncLength, double sigma, double signDelta,
                         String schedule, int initialOffset, int problems, int estimators, int outerSteps, double outerLr,
                         double clip, int accumulate, int resampleFrequency, long seed, int evalSteps, int evalSeeds,
                         double adamLr, double checkpointSeconds, String lossType, int recomputeSamples, double clipLossDiff,
                         String metaLossSplit, String device, String initTheta, double adamStart, double metaLossRamp,
                         UpdateOptions loptOptions) {
    public MetaConfig {
        if (loptOptions == null) loptOptions = UpdateOptions.NONE;
        if (lossType == null || lossType.isEmpty()) lossType = "avg";
        FullEs.LossType.parse(lossType);
        if (metaLossSplit == null) metaLossSplit = "";
        if (initTheta == null) initTheta = "";
        if (device == null || device.isEmpty()) device = "auto";
        ConfigChecks.positive("truncLength", truncLength);
        ConfigChecks.positive("problems", problems);
        ConfigChecks.positive("estimators", estimators);
        ConfigChecks.positive("outerSteps", outerSteps);
        ConfigChecks.positive("accumulate", accumulate);
        ConfigChecks.positive("evalSteps", evalSteps);
        ConfigChecks.positive("evalSeeds", evalSeeds);
        ConfigChecks.finitePositive("outerLr", outerLr);
        ConfigChecks.finitePositive("adamLr", adamLr);
        ConfigChecks.finitePositive("sigma", sigma);
        ConfigChecks.notNegative("checkpointSeconds", checkpointSeconds);
        TruncationSchedule.parse(schedule);
        ConfigChecks.finiteNotNegative("adamStart", adamStart);
        if (adamStart > 0 && !(LearnedOptimizers.named(lopt) instanceof Velo))
            throw new IllegalArgumentException("adamStart sets a VeLO θ; " + lopt + " has no Adam start (use initTheta for a θ file)");
        if (adamStart > 0 && !initTheta.isEmpty())
            throw new IllegalArgumentException("adamStart and initTheta both say where θ starts; give one");
        ConfigChecks.finiteNotNegative("metaLossRamp", metaLossRamp);
        if (metaLossRamp > 0 && !estimator.equals("pes") && !estimator.equals("tes"))
            throw new IllegalArgumentException("metaLossRamp weights the steps of truncated episodes: pes or tes, not " + estimator);
    }

    /** The README's main job. */
    public static MetaConfig defaults() {
        return new MetaConfig("small_fc_lopt", "ImageMLP_FashionMnist8_Relu32", "pes", 30, 0.01, 0, "constant:2000", 2000,
                4, 8, 1000, 3e-3, 3.0, 1, 0, 0, 2000, 5, 1e-3, 60, "avg", 50, 0, "", "auto", "", 0, 0, UpdateOptions.NONE);
    }

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** Reads a JSON object; fields it omits keep their {@link #defaults()}; unknown fields are an error. */
    public static MetaConfig read(Path file) throws IOException { return ConfigChecks.read(JSON, file, defaults()::with); }

    /** This config with the fields named in {@code overrides} replaced; an unknown field name is an error. */
    public MetaConfig with(java.util.Map<String, ?> overrides) { return ConfigChecks.with(JSON, this, overrides, MetaConfig.class); }

    /** This config as one JSON object. */
    public String toJson() { return ConfigChecks.toJson(JSON, this); }

    /** Parses {@link #toJson()}'s output. */
    public static MetaConfig fromJson(String json) throws IOException {
        try {
            return JSON.readValue(json, MetaConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IOException(ConfigChecks.rootMessage(e), e);
        }
    }

    /** The truncation schedule. */
    public TruncationSchedule truncation() { return TruncationSchedule.parse(schedule); }
}
