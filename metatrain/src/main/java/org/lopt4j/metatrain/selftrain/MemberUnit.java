package org.lopt4j.metatrain.selftrain;

import java.io.Serializable;

/**
 * One unit of a self-training outer step: members {@code first … first + thetas.length − 1}, either their ES
 * estimates ({@code evaluation} false: σ and unroll length per member) or their held-out values. It carries θs and
 * indices, never noise: every key derives from the run seed, the step and the member index, so a unit gives the same
 * result wherever and however often it runs, and the same as the whole population in one unit.
 */
public record MemberUnit(int step, boolean evaluation, int first, double[][] thetas, double[] sigmas, int[] lengths) implements Serializable {
    public MemberUnit {
        if (first < 0 || thetas.length == 0) throw new IllegalArgumentException("a unit needs ≥ 1 member from index ≥ 0");
        if (!evaluation && (sigmas.length != thetas.length || lengths.length != thetas.length))
            throw new IllegalArgumentException("an ES unit needs one σ and one unroll length per member");
    }

    /** What a unit returns: per member the ES meta-loss and gradient, or the value (the other arrays empty). */
    public record Result(double[] metaLoss, double[][] grad, double[] value, double seconds) implements Serializable {}

    /** Runs the unit with {@code trainer}'s config, tasks and backend. */
    public Result run(SelfTrainer trainer) {
        long t0 = System.nanoTime();
        if (evaluation) {
            double[] v = trainer.values(step, thetas, first);
            return new Result(new double[0], new double[0][], v, (System.nanoTime() - t0) / 1e9);
        }
        var est = trainer.estimates(step, thetas, sigmas, lengths, first);
        double[] loss = new double[est.length];
        double[][] grad = new double[est.length][];
        for (int i = 0; i < est.length; i++) {
            loss[i] = est[i].meanLoss();
            grad[i] = est[i].grad();
        }
        return new Result(loss, grad, new double[0], (System.nanoTime() - t0) / 1e9);
    }
}
