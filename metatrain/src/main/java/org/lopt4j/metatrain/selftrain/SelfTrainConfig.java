package org.lopt4j.metatrain.selftrain;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lopt4j.metatrain.outer.ConfigChecks;
import org.lopt4j.metatrain.outer.FullEs;

/**
 * A self-training run (pbt_selftraining.md), as read from a JSON config file or the command line. The defaults are
 * the spec's smallest CPU version (§4): 6 members of small_fc_lopt (hidden 4) from random initializations, each
 * updated by its own θ, full ES with 4 antithetic pairs, σ 0.01 and unrolls of 50 steps on 8×8 image MLPs sampled
 * anew every outer step, evaluated every 5 outer steps and winner-take-all every 25.
 *
 * @param lopt            the members' learned optimizer ({@code small_fc_lopt}, {@code small_fc_lopt32}, …)
 * @param task            {@code mlp8} (64→16…32→10 MLPs, ReLU or tanh, batch 32, on the embedded 8×8 Fashion-MNIST
 *                        or MNIST), {@code mlp8_fashion_mnist} (the same on Fashion-MNIST only) or one fixed task's name
 * @param members         population size P
 * @param outerRule       {@code self} (member i's θ updates member i), {@code best} (the best member's θ updates
 *                        every member) or {@code adam} (Adam on θ: the control)
 * @param selection       {@code winner_take_all}, {@code truncation} (the bottom fifth copies the top fifth) or
 *                        {@code none} (no exploit/explore)
 * @param outerSteps      outer steps to run
 * @param pairs           antithetic pairs per member per outer step
 * @param sigma           initial ES standard deviation
 * @param unrollLength    initial inner steps per ES unroll
 * @param lossType        a unroll's meta-loss: avg, min, last or last_recompute
 * @param stepMultMin     the outer step multiplier is drawn log-uniform in [min, max] at initialization
 * @param stepMultMax     (equal bounds: that constant, 0 included)
 * @param mutate          the hyperparameters explore perturbs: any of {@code step_mult}, {@code sigma}, {@code unroll}
 * @param evalEvery       outer steps between evaluations of every member
 * @param evalProblems    fresh problems per member in an evaluation
 * @param evalLength      inner steps of an evaluation
 * @param exploitEvery    outer steps a generation runs before it can be replaced
 * @param adamLr          learning rate of the {@code adam} rule (clip 3, as the metatrain path)
 * @param seed            run seed: every key derives from it and the outer step
 * @param initTheta       every member starts from this θ file instead of a random initialization ("" = none)
 * @param finalTask       the held-out task of the final evaluation against Adam
 * @param finalSteps      inner steps of each final evaluation run
 * @param finalSeeds      held-out seeds in the final evaluation
 * @param checkpointSeconds checkpoint interval in seconds (0 = after every outer step)
 * @param device          backend: {@code auto}, {@code simd}, {@code scalar}, {@code opencl}, {@code cuda}
 * @param membersPerUnit  members per unit of work (0 = all in one): units run apart (threads, Spark tasks) and give
 *                        the same result as one unit, so this changes where work runs, never what it computes
 */
public record SelfTrainConfig(String lopt, String task, int members, String outerRule, String selection, int outerSteps, int pairs,
                              double sigma, int unrollLength, String lossType, double stepMultMin, double stepMultMax,
                              List<String> mutate, int evalEvery, int evalProblems, int evalLength, int exploitEvery, double adamLr,
                              long seed, String initTheta, String finalTask, int finalSteps, int finalSeeds,
                              double checkpointSeconds, String device, int membersPerUnit) {
    /** The hyperparameters explore can perturb. */
    public static final List<String> MUTABLE = List.of("step_mult", "sigma", "unroll");

    public SelfTrainConfig {
        ConfigChecks.positive("members", members);
        ConfigChecks.positive("outerSteps", outerSteps);
        ConfigChecks.positive("pairs", pairs);
        ConfigChecks.positive("unrollLength", unrollLength);
        ConfigChecks.positive("evalEvery", evalEvery);
        ConfigChecks.positive("evalProblems", evalProblems);
        ConfigChecks.positive("evalLength", evalLength);
        ConfigChecks.positive("exploitEvery", exploitEvery);
        ConfigChecks.positive("finalSteps", finalSteps);
        ConfigChecks.positive("finalSeeds", finalSeeds);
        ConfigChecks.finitePositive("sigma", sigma);
        ConfigChecks.finitePositive("adamLr", adamLr);
        ConfigChecks.notNegative("checkpointSeconds", checkpointSeconds);
        if (membersPerUnit < 0) throw new IllegalArgumentException("self-training config: membersPerUnit must be ≥ 0 (0 = all members in one unit), got " + membersPerUnit);
        if (!(stepMultMin >= 0) || !(stepMultMax >= stepMultMin) || Double.isInfinite(stepMultMax) || (stepMultMin == 0 && stepMultMax > 0))
            throw new IllegalArgumentException("self-training config: the step multiplier range needs 0 < stepMultMin ≤ stepMultMax (or both 0)");
        if (lossType == null || lossType.isEmpty()) lossType = "avg";
        FullEs.LossType.parse(lossType);
        OuterRule.Kind.parse(outerRule);
        Selection.parse(selection);
        mutate = mutate == null ? List.of() : List.copyOf(mutate);
        for (String m : mutate) if (!MUTABLE.contains(m)) throw new IllegalArgumentException("unknown hyperparameter '" + m + "' to mutate; known: " + MUTABLE);
        if (initTheta == null) initTheta = "";
        if (device == null || device.isEmpty()) device = "auto";
    }

    /** The spec's smallest CPU version (§4). */
    public static SelfTrainConfig defaults() {
        return new SelfTrainConfig("small_fc_lopt", "mlp8", 6, "self", "winner_take_all", 400, 4, 0.01, 50, "avg",
                1e-2, 1e1, MUTABLE, 5, 4, 100, 25, 3e-3, 0, "", "ImageMLP_FashionMnist8_Relu32", 2000, 5, 60, "auto", 0);
    }

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** Reads a JSON object; fields it omits keep their {@link #defaults()}; unknown fields are an error. */
    public static SelfTrainConfig read(Path file) throws IOException { return ConfigChecks.read(JSON, file, defaults()::with); }

    /** This config with the fields named in {@code overrides} replaced; an unknown field name is an error. */
    public SelfTrainConfig with(Map<String, ?> overrides) { return ConfigChecks.with(JSON, this, overrides, SelfTrainConfig.class); }

    /** This config as one JSON object. */
    public String toJson() { return ConfigChecks.toJson(JSON, this); }

    /** Parses {@link #toJson()}'s output. */
    public static SelfTrainConfig fromJson(String json) throws IOException { return JSON.readValue(json, SelfTrainConfig.class); }

    /** Members in each unit of work: {@code membersPerUnit}, or all of them for 0. */
    public int unitSize() { return membersPerUnit == 0 ? members : Math.min(members, membersPerUnit); }

    /** The meta-loss of an unroll. */
    public FullEs.LossType loss() { return FullEs.LossType.parse(lossType); }
}
