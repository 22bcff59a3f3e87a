package org.lopt4j.metatrain.outer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;

/**
 * Held-out evaluation against Adam: a learned optimizer and Adam at fixed learning rates train
 * the same task from the same held-out seeds (initializations and data streams never used in meta-training), all
 * seeds as one population; each run's curve is the seed-mean minibatch training loss every {@code every} steps, and
 * its final loss the train-split loss on 5 fresh batches, averaged over seeds (tasks.md §5's measurement).
 */
public final class Evaluation {
    /** Seed offset that keeps evaluation runs apart from meta-training keys. */
    public static final long HELD_OUT_SEED = 1_000_003L;

    private Evaluation() {}

    /** One optimizer's run: label, curve points {@code [step, loss]}, final loss per seed and its mean. */
    public record Run(String label, List<double[]> curve, double[] finalLosses, double finalLoss) {}

    /** Trains {@code task} with {@code opt} for {@code steps} steps on {@code seeds} held-out seeds. */
    public static <S extends OptState<S>> Run run(String label, Task task, Optimizer<S> opt, int steps, int seeds, int every, Backend b) {
        List<double[]> curve = new ArrayList<>();
        double[] window = {0, 0};
        InnerTrainer.Result r = InnerTrainer.train(task, opt, steps, HELD_OUT_SEED, seeds, b, (s, losses) -> {
            double m = 0;
            for (double l : losses) m += l / losses.length;
            window[0] += m;
            window[1]++;
            if ((s + 1) % every == 0 || s == 0) {
                curve.add(new double[] {s + 1, window[0] / window[1]});
                window[0] = window[1] = 0;
            }
        });
        double[] fin = InnerTrainer.evaluate(task, r.params(), seeds, Split.TRAIN, 5, HELD_OUT_SEED + 1, b);
        double mean = 0;
        for (double f : fin) mean += f / fin.length;
        return new Run(label, curve, fin, mean);
    }

    /** The learned optimizer with θ (flat, one member) on every seed. */
    public static Run learned(LearnedOptimizer<?> lo, double[] theta, Task task, int steps, int seeds, int every, Backend b) {
        return run(lo.name(), task, lo.optimizer(Perturbations.population(lo, theta, null, seeds, 1)), steps, seeds, every, b);
    }

    /** Adam (eps 1e-8, eps_root 1e-8, learned_optimization's baseline) at each learning rate. */
    public static Map<Double, Run> adam(Task task, double[] lrs, int steps, int seeds, int every, Backend b) {
        Map<Double, Run> out = new LinkedHashMap<>();
        for (double lr : lrs) out.put(lr, run("adam lr " + lr, task, Adam.lo(lr), steps, seeds, every, b));
        return out;
    }
}
