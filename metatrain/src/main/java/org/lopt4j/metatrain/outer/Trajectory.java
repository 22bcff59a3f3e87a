package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/** What {@code T} lockstep steps of a truncated unroll emitted: losses per member, masks and done flags per problem. */
record Trajectory(double[][] loss, boolean[][] mask, boolean[][] done) {
    /** Runs {@code steps} steps of {@code u} on {@code s} (in place) with θ population {@code thetaPop}. */
    static Trajectory run(TruncatedUnroll u, UnrollState s, Slab thetaPop, RandomKey key, int steps) {
        double[][] loss = new double[steps][];
        boolean[][] mask = new boolean[steps][], done = new boolean[steps][];
        Slab grads = s.params().zerosLike();
        TruncatedUnroll.Updater update = u.fused(thetaPop);                   // the optimizer for θ, once per unroll
        for (int t = 0; t < steps; t++) {
            TruncatedUnroll.StepOutput o = u.step(s, key.child(t), grads, update);
            loss[t] = o.loss();
            mask[t] = o.mask();
            done[t] = o.done();
        }
        return new Trajectory(loss, mask, done);
    }

    /** Masked time-mean of member m's loss (problem i = m mod problems); 0 when every step was masked. */
    double maskedMean(int m, int problems) {
        double s = 0;
        int d = 0;
        for (int t = 0; t < loss.length; t++) {
            if (mask[t][m % problems]) { s += loss[t][m]; d++; }
        }
        return d == 0 ? 0 : s / d;
    }
}
