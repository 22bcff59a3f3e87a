package org.lopt4j.metatrain.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.Perturbations;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j eval}: a meta-trained learned optimizer against Adam on held-out seeds of a task. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a meta-trained learned optimizer against Adam on held-out seeds.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--lopt", required = true, description = "metatrain.safetensors or lopt.safetensors written by `lopt4j metatrain`.") Path lopt;
    @Option(names = "--task", description = "Task name (default: the task it was meta-trained on).") String task;
    @Option(names = "--steps", defaultValue = "2000", description = "Inner steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--seeds", defaultValue = "5", description = "Held-out seeds (default ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--adam-lr", defaultValue = "1e-3", description = "The Adam learning rate to compare against (default ${DEFAULT-VALUE}).") double adamLr;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX); default: embedded data.") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/eval", description = "Directory for eval.png and summary.txt (default ${DEFAULT-VALUE}).") Path out;

    @Override public Integer call() throws Exception {
        if (steps <= 0 || seeds <= 0) throw new IllegalArgumentException("--steps and --seeds must be positive");
        String json = SafeTensors.header(lopt).metadata().get("config");
        MetaConfig c = json == null ? MetaConfig.defaults() : MetaConfig.fromJson(json);   // a bare θ file: the default recipe's parts
        if (task != null) c = c.with(java.util.Map.of("task", task));
        Backend b = Recipe.backend(c);
        Recipe r = Recipe.of(c, dataDir, b);
        double[] theta = Perturbations.flat(MetaCheckpoint.anyTheta(lopt, r.lopt(), b));
        EvalReport.evaluateAndReport(r, theta, out, steps, seeds, adamLr, System.out);
        return 0;
    }
}
