package org.lopt4j.metatrain.rl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lopt4j.metatrain.outer.ConfigChecks;

/**
 * An LHOPT training run (lhopt.md §6's smallest CPU version): PPO iterations of {@code episodes} episodes, each
 * {@code outerSteps} blocks of {@code innerSteps} CIAO steps on a problem drawn from {@code tasks} ({@code nqm}: noisy
 * quadratics; {@code mlp8}: 8×8 Fashion-MNIST/MNIST MLPs; {@code mlp14}: 14×14 ones), a layer-normalized LSTM policy of width {@code hidden};
 * the reward's baseline is the envelope of Adam at {@code baselineLrs} (default lr 1e-3 alone); {@code richObservation}
 * adds the integral-CDF features and the restart register ({@link LhoptObservation}). {@code actors}: 1 plays an
 * iteration's episodes one after another, the observation normalizer following every observation as it comes (the
 * shipped policy's setting); N > 1 plays N at a time against the normalizer as it stood at the iteration's start, then
 * folds every observation into it in episode order, so runs with any N > 1 agree bit for bit (0, as in checkpoints
 * from before the field, reads as 1). {@code privilegedCritic}: the asymmetric critic of lhopt.md §4, whose value head
 * also reads {@link LhoptEnv#PRIVILEGED} inputs the policy never sees.
 */
public record LhoptConfig(int iterations, int episodes, int outerSteps, int innerSteps, int hidden, double lr, List<String> tasks, long seed,
                          double checkpointSeconds, List<Double> baselineLrs, boolean richObservation, int actors, boolean privilegedCritic) {
    /** The default task kinds; {@code mlp14} (196→16..32→10 MLPs on 14×14 MNIST, and Fashion-MNIST from a data directory) may be added. */
    public static final List<String> TASKS = List.of("nqm", "mlp8");
    static final List<String> KINDS = List.of("nqm", "mlp8", "mlp14");

    public LhoptConfig {
        ConfigChecks.positive("iterations", iterations);
        ConfigChecks.positive("episodes", episodes);
        ConfigChecks.positive("outerSteps", outerSteps);
        ConfigChecks.positive("innerSteps", innerSteps);
        ConfigChecks.positive("hidden", hidden);
        ConfigChecks.finitePositive("lr", lr);
        ConfigChecks.notNegative("checkpointSeconds", checkpointSeconds);
        if (actors == 0) actors = 1;
        ConfigChecks.positive("actors", actors);
        tasks = tasks == null || tasks.isEmpty() ? TASKS : List.copyOf(tasks);
        if (baselineLrs == null || baselineLrs.isEmpty()) baselineLrs = java.util.Arrays.stream(LhoptEnv.BASELINE_LRS).boxed().toList();
        baselineLrs = List.copyOf(baselineLrs);
        for (double b : baselineLrs) ConfigChecks.finitePositive("baselineLrs", b);
        for (String t : tasks) if (!KINDS.contains(t)) throw new IllegalArgumentException("unknown LHOPT task kind '" + t + "'; known: " + KINDS);
    }

    /**
     * The default: 400 iterations × 8 episodes of 16 × 16 steps, width 64, PPO's lr raised to 1e-3 for the short run,
     * the basic observation, the reward against Adam at lr 1e-3, the asymmetric critic (over three training seeds its
     * policies did better than without it on every evaluation; RESULTS.md); about 5 minutes of one core.
     */
    public static LhoptConfig defaults() { return new LhoptConfig(400, 8, 16, 16, 64, 1e-3, TASKS, 0, 60, null, false, 1, true); }

    /** {@link #baselineLrs} as an array. */
    public double[] baselineLrArray() { return baselineLrs.stream().mapToDouble(Double::doubleValue).toArray(); }

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** This config with the fields named in {@code overrides} replaced; an unknown field is an error. */
    public LhoptConfig with(Map<String, ?> overrides) { return ConfigChecks.with(JSON, this, overrides, LhoptConfig.class); }

    /** Reads a JSON object over the defaults. */
    public static LhoptConfig read(Path file) throws IOException { return ConfigChecks.read(JSON, file, defaults()::with); }

    public String toJson() { return ConfigChecks.toJson(JSON, this); }

    public static LhoptConfig fromJson(String json) throws IOException { return JSON.readValue(json, LhoptConfig.class); }
}
