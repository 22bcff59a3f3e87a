package org.lopt4j.metatrain.outer;

import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * How good several θs are, measured together (pbt_selftraining.md §3's {@code meta_eval}): each θ trains
 * {@code problems} fresh problems of {@code task} for {@code steps} inner steps, all as one population; its value is
 * the mean normalized loss of the final parameters on two fresh training batches (lower is better).
 */
public record PopulationValue(Task task, LearnedOptimizer<?> lopt, int problems, int steps, Backend backend) {
    /** Batches the final loss is averaged over. */
    static final int BATCHES = 2;

    /** The value of each θ, from {@code key}: initializations from {@code key.child(3)}, steps from {@code key.child(1)}. */
    public double[] values(double[][] thetas, RandomKey key) { return values(thetas, key, 0); }

    /** The values of members {@code first …} of a larger population: each equals its value in one call over all of them. */
    public double[] values(double[][] thetas, RandomKey key, int first) {
        int members = thetas.length, n = members * problems;
        TruncatedUnroll u = new TruncatedUnroll(task, lopt, new TruncationSchedule.NeverEnding(), n, 1, 0, steps, backend)
                .numberedFrom(first * problems);
        Slab pop = Perturbations.population(lopt, thetas, problems);
        UnrollState s = u.init(key.child(3), pop);
        Trajectory.run(u, s, pop, key.child(1), steps);
        double[] value = new double[members];
        for (int b = 0; b < BATCHES; b++) {
            double[] l = task.loss(s.params(), n, u.freshBatch(key.child(4).child(b), Split.TRAIN));
            for (int i = 0; i < n; i++) value[i / problems] += task.normalize(l[i]) / (problems * BATCHES);
        }
        return value;
    }
}
