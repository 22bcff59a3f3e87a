package org.lopt4j.metatrain.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import org.lopt4j.metatrain.task.ImageMlpFamily;
import org.lopt4j.metatrain.task.ImageMlpTask;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * LHOPT's learner (lhopt.md §5) on one machine: each iteration plays {@code episodes} episodes of {@link LhoptEnv} with
 * the current policy (one after another, or at once on actor threads or Spark tasks: {@link EpisodeExecutor}), then one PPO update. Every key derives from the seed and the iteration, so a run resumed from a
 * checkpoint (policy, PPO's Adam state, the observation normalizer, the iteration) continues as an uninterrupted one.
 */
public final class LhoptTrainer {
    public static final String FORMAT = "lopt4j-lhopt-1", FILE = "lhopt.safetensors";

    /** One iteration: mean episode reward, the mean last-block log ratio of lr to its start, PPO's statistics, seconds. */
    public record Report(int iteration, double meanReward, double lrLogRatio, Ppo.Stats stats, double seconds) {}

    private final LhoptConfig config;
    private final Backend backend;
    private final Ppo ppo;
    private final EwmaNormalizer norm;
    private final TaskFamily mlp8, mlp14;
    private int iteration;

    public LhoptTrainer(LhoptConfig c, Path dataDir) {
        this.config = c;
        this.backend = ScalarBackend.INSTANCE;
        this.norm = EwmaNormalizer.lhopt(LhoptObservation.size(c.richObservation()));
        this.ppo = new Ppo(net(c),
                Ppo.Config.lhopt().withLr(c.lr()), RandomKey.of(c.seed()).child(0), backend, DType.F32);
        this.mlp8 = ImageMlpFamily.selfTraining("mlp8", dataDir, "fashion_mnist", "mnist");
        this.mlp14 = new ImageMlpFamily("mlp14", dataDir == null ? new String[] {"mnist"} : new String[] {"fashion_mnist", "mnist"}, new int[] {14}, 1, 1, 16, 32,
                new ImageMlpTask.Activation[] {ImageMlpTask.Activation.RELU, ImageMlpTask.Activation.TANH}, new int[] {32}, false, dataDir);
    }

    /** The actor–critic of config {@code c}. */
    static ActorCritic net(LhoptConfig c) {
        return new ActorCritic(LhoptObservation.size(c.richObservation()), c.hidden(), LhoptEnv.actions(c.richObservation()),
                c.privilegedCritic() ? LhoptEnv.PRIVILEGED : 0);
    }

    public LhoptConfig config() { return config; }

    public int iteration() { return iteration; }

    public Ppo ppo() { return ppo; }

    public EwmaNormalizer normalizer() { return norm; }

    /** A problem of the config's task kinds, drawn from {@code key}. */
    InnerProblem problem(RandomKey key) {
        int kind = (int) Math.min(config.tasks().size() - 1, Math.floor(key.sample(Op.Dist.UNIFORM, DType.F64, 0) * config.tasks().size()));
        return switch (config.tasks().get(kind)) {
            case "nqm" -> NoisyQuadratic.sample(key.child(1));
            case "mlp14" -> new TaskProblem(mlp14.sample(key.child(1)), backend);
            default -> new TaskProblem(mlp8.sample(key.child(1)), backend);
        };
    }

    /** The training environment. */
    public LhoptEnv env(boolean randomize) {
        return new LhoptEnv(this::problem, config.outerSteps(), config.innerSteps(), randomize, backend, config.baselineLrArray(), config.richObservation(),
                config.privilegedCritic());
    }

    /**
     * Runs iterations until the config's count, {@code stopAfter} more, or {@code stop}; checkpoints into {@code ckpt}
     * (may be null); with {@code actors} > 1 the episodes play on that many threads.
     */
    public void run(int stopAfter, BooleanSupplier stop, Path ckpt, Consumer<Report> listener) throws IOException {
        try (EpisodeExecutor pool = config.actors() > 1 ? EpisodeExecutor.threads(config.actors()) : null) {
            run(stopAfter, stop, ckpt, pool, listener);
        }
    }

    /**
     * {@link #run(int, BooleanSupplier, Path, Consumer)} with the episodes of each iteration on {@code actors} (a
     * thread pool, Spark), which a config of {@code actors} > 1 needs and one of 1 refuses.
     */
    public void run(int stopAfter, BooleanSupplier stop, Path ckpt, EpisodeExecutor actors, Consumer<Report> listener) throws IOException {
        if ((actors != null) != (config.actors() > 1)) {
            throw new IllegalArgumentException(config.actors() > 1 ? "a config of " + config.actors() + " actors needs an episode executor"
                    : "a config of one actor plays its episodes one after another, without an episode executor");
        }
        int end = Math.min(config.iterations(), stopAfter < 0 ? Integer.MAX_VALUE : iteration + stopAfter);
        long last = System.nanoTime();
        RandomKey run = RandomKey.of(config.seed());
        LhoptEnv env = env(true);
        while (iteration < end) {
            iterate(actors, env, run, listener);
            boolean done = iteration == end || stop.getAsBoolean();
            if (ckpt != null && (done || (System.nanoTime() - last) / 1e9 >= config.checkpointSeconds())) {
                write(ckpt);
                last = System.nanoTime();
            }
            if (done) break;
        }
    }

    /** One iteration: the episodes (on {@code actors} when there are several), then one PPO update. */
    private void iterate(EpisodeExecutor actors, LhoptEnv env, RandomKey run, Consumer<Report> listener) {
        long t0 = System.nanoTime();
        int n = config.episodes();
        List<Ppo.Episode> eps = new ArrayList<>();
        List<List<double[]>> raws = new ArrayList<>();
        RandomKey keys = run.child(1).fold(iteration);
        if (actors == null) {
            for (int e = 0; e < n; e++) {
                List<double[]> raw = new ArrayList<>();
                raws.add(raw);
                eps.add(ppo.rollout(env, keys.child(e), norm, config.outerSteps(), raw));
            }
        } else {
            double[] policy = ppo.params().flat().toDoubleArray(), frozen = norm.state();
            List<EpisodeUnit> units = new ArrayList<>();
            for (int e = 0; e < n; e++) units.add(new EpisodeUnit(e, keys.child(e).k0(), keys.child(e).k1(), policy, frozen));
            List<EpisodeUnit.Played> played = actors.runAll(this, units);
            if (played.size() != n) throw new IllegalStateException(actors.describe() + " returned " + played.size() + " episodes for " + n);
            for (int e = 0; e < n; e++) {
                EpisodeUnit.Played p = played.get(e);
                if (p.index() != e) throw new IllegalStateException("episode " + p.index() + " returned at the place of episode " + e);
                eps.add(p.episode());
                raws.add(java.util.Arrays.asList(p.raw()));
            }
            for (List<double[]> raw : raws) for (double[] o : raw) norm.observe(o);   // in episode order: the same for any actor count
        }
        double reward = 0, lrRatio = 0;
        int lr = LhoptObservation.hyperparametersAt(config.richObservation());
        for (int e = 0; e < n; e++) {
            reward += eps.get(e).totalReward() / n;
            List<double[]> raw = raws.get(e);
            lrRatio += raw.get(raw.size() - 1)[lr] / n;
        }
        Ppo.Stats s = ppo.update(eps, run.child(2).fold(iteration));
        iteration++;
        if (listener != null) listener.accept(new Report(iteration - 1, reward, lrRatio, s, (System.nanoTime() - t0) / 1e9));
    }

    private static Slab vector(double[] v) {
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, SlabLayout.of(List.of("values"), List.of(Shape.of(v.length))));
        s.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, v, v.length));
        return s;
    }

    /** The policy, PPO's optimizer state, the normalizer and the iteration, atomically. */
    public void write(Path file) throws IOException {
        Map<String, Slab> roles = new LinkedHashMap<>();
        roles.put("policy", ppo.params());
        roles.put("adam_m", ppo.adamM());
        roles.put("adam_v", ppo.adamV());
        roles.put("normalizer", vector(norm.state()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("config", config.toJson());
        meta.put("iteration", Integer.toString(iteration));
        meta.put("adam_step", Integer.toString(ppo.adamStep()));
        SafeTensors.writeSlabs(file, roles, meta, true);
    }

    /** Restores a checkpoint written for this config (a different config is refused, naming both). */
    public void read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, backend);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not an LHOPT checkpoint (format " + meta.get("format") + ")");
        LhoptConfig stored = LhoptConfig.fromJson(meta.get("config"));
        int actors = stored.actors() > 1 && config.actors() > 1 ? config.actors() : stored.actors();      // any N > 1 plays the same run
        if (!stored.with(Map.of("iterations", config.iterations(), "checkpointSeconds", config.checkpointSeconds(), "actors", actors)).equals(config)) {
            throw new IOException(file + ": made with " + stored.toJson() + "; this run is " + config.toJson());
        }
        SlabLayout l = ppo.params().layout();
        Slab policy = SafeTensors.slab(file, c, "policy", l, DType.F32, backend), m = SafeTensors.slab(file, c, "adam_m", l, DType.F32, backend);
        Slab v = SafeTensors.slab(file, c, "adam_v", l, DType.F32, backend);
        Slab n = SafeTensors.slab(file, c, "normalizer", SlabLayout.of(List.of("values"), List.of(Shape.of(1 + 2 * LhoptObservation.size(config.richObservation())))), DType.F64, backend);
        ppo.restore(policy, m, v, Integer.parseInt(meta.get("adam_step")));
        norm.restore(n.tensor(0).toDoubleArray());
        iteration = Integer.parseInt(meta.get("iteration"));
    }
}
