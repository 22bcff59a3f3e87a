package org.lopt4j.metatrain.train;

import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.optim.Adam;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;

/**
 * A reduced version of learned_optimization's LR-tuned Adam reference (tasks.md §5): Adam (eps 1e-8, eps_root 1e-8)
 * at a grid of learning rates, several seeds trained together as population members, the train-split loss at the
 * last step measured on 5 batches, averaged over seeds; the best learning rate's loss is the reference.
 * Usage: {@code AdamLrSweep <task> <steps> <seeds> <lr>...}.
 */
public final class AdamLrSweep {
    private AdamLrSweep() {}

    /** Mean over seeds of the final train loss at each learning rate. */
    public static double[] sweep(Task task, int steps, int seeds, double[] lrs, Backend b) {
        double[] out = new double[lrs.length];
        for (int i = 0; i < lrs.length; i++) {
            InnerTrainer.Result r = InnerTrainer.train(task, Adam.lo(lrs[i]), steps, 0, seeds, b, null);
            double[] l = InnerTrainer.evaluate(task, r.params(), seeds, Split.TRAIN, 5, 99, b);
            out[i] = java.util.Arrays.stream(l).average().orElse(Double.NaN);
        }
        return out;
    }

    public static void main(String[] args) {
        Task t = Tasks.byName(args[0], null);
        int steps = Integer.parseInt(args[1]), seeds = Integer.parseInt(args[2]);
        double[] lrs = java.util.Arrays.stream(args, 3, args.length).mapToDouble(Double::parseDouble).toArray();
        double[] l = sweep(t, steps, seeds, lrs, Backends.best());
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < lrs.length; i++) {
            System.out.printf("lr %-8g train loss at %d steps: %.4f (mean of %d seeds)%n", lrs[i], steps, l[i], seeds);
            best = Math.min(best, l[i]);
        }
        System.out.printf("best over learning rates: %.4f%n", best);
    }
}
