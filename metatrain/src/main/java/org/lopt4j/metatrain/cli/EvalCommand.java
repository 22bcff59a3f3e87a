package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.Perturbations;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.train.Divergence;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j eval}: a meta-trained learned optimizer against Adam on held-out seeds of a task. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a meta-trained learned optimizer against Adam on held-out seeds. "
        + "A run whose loss is not finite or exceeds " + Divergence.DEFAULT_FACTOR + "× its initial loss is marked diverged and wins no comparison.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--lopt", required = true, description = "The learned optimizer's θ: metatrain.safetensors, any lopt.safetensors (`lopt4j metatrain`, `selftrain`), or a PyLO small_fc_lopt/μLO or VeLO checkpoint directory.") Path lopt;
    @Option(names = "--task", description = "Task name (default: the task it was meta-trained on).") String task;
    @Option(names = "--steps", defaultValue = "2000", description = "Inner steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--seeds", defaultValue = "5", description = "Held-out seeds (default ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--adam-lr", defaultValue = "1e-3", description = "The Adam learning rate to compare against (default ${DEFAULT-VALUE}).") double adamLr;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/eval", description = "Directory for eval.png and summary.txt, locked while it runs (default ${DEFAULT-VALUE}).") Path out;

    @Override public Integer call() throws Exception {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be positive, got " + steps);
        if (seeds <= 0) throw new IllegalArgumentException("--seeds must be positive, got " + seeds);
        if (!(adamLr > 0) || Double.isInfinite(adamLr)) throw new IllegalArgumentException("--adam-lr must be a finite number above 0, got " + adamLr);
        MetaConfig c = config(lopt);
        if (task != null) c = c.with(Map.of("task", task));
        Backend b = Recipe.backend(c);
        Recipe r = Recipe.of(c, dataDir, b);
        DataCheck.require(r.task());
        double[] theta = Perturbations.flat(MetaCheckpoint.anyTheta(lopt, r.lopt(), b));
        try (RunLock lock = RunLock.acquire(out, "eval")) {
            EvalReport.evaluateAndReport(r, theta, out, steps, seeds, adamLr, System.out);
        }
        return 0;
    }

    /**
     * The recipe a θ file was made with: a meta-training checkpoint stores its config; a {@code lopt.safetensors}
     * stores its learned optimizer's architecture, which names the optimizer (the default recipe's other parts apply).
     */
    static MetaConfig config(Path file) throws IOException {
        if (java.nio.file.Files.isRegularFile(file)) {
            Map<String, String> meta;
            try {
                meta = SafeTensors.header(file).metadata();
            } catch (IOException notSafetensors) {
                meta = Map.of();
            }
            if (meta.get("config") != null && MetaCheckpoint.FORMAT.equals(meta.get("format"))) return MetaConfig.fromJson(meta.get("config"));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("lopt", LearnedOption.nameOf(LearnedOption.load(null, file).lopt(), file));
        return MetaConfig.defaults().with(o);
    }
}
