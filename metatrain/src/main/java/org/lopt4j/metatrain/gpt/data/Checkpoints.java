package org.lopt4j.metatrain.gpt.data;

/**
 * The saved checkpoints of {@code runs} runs, {@code k} each, in memory: {@code theta [runs, k, p]} (raw float32),
 * and per checkpoint its iteration and metrics {@code [runs, k]}; {@code run[i]} is the index (seed) of the i-th run.
 */
public record Checkpoints(int runs, int k, int p, int[] run, float[] theta, int[] iteration,
                          double[] trainLoss, double[] trainErr, double[] testLoss, double[] testErr) {
    public Checkpoints {
        long n = (long) runs * k;
        if (run.length != runs || theta.length != n * p || iteration.length != n || trainLoss.length != n || trainErr.length != n
                || testLoss.length != n || testErr.length != n) {
            throw new IllegalArgumentException("checkpoints: arrays disagree with " + runs + " runs x " + k + " checkpoints x " + p + " parameters");
        }
    }

    /** Empty arrays for {@code runs} runs numbered {@code firstRun…}. */
    static Checkpoints allocate(int firstRun, int runs, int k, int p) {
        int n = runs * k;
        int[] ids = new int[runs];
        for (int r = 0; r < runs; r++) ids[r] = firstRun + r;
        return new Checkpoints(runs, k, p, ids, new float[Math.multiplyExact(n, p)], new int[n], new double[n], new double[n], new double[n], new double[n]);
    }

    /** The runs {@code keep} (indices into this), in that order. */
    public Checkpoints select(int[] keep) {
        Checkpoints o = allocate(0, keep.length, k, p);
        for (int i = 0; i < keep.length; i++) {
            int s = keep[i];
            o.run[i] = run[s];
            System.arraycopy(theta, s * k * p, o.theta, i * k * p, k * p);
            System.arraycopy(iteration, s * k, o.iteration, i * k, k);
            System.arraycopy(trainLoss, s * k, o.trainLoss, i * k, k);
            System.arraycopy(trainErr, s * k, o.trainErr, i * k, k);
            System.arraycopy(testLoss, s * k, o.testLoss, i * k, k);
            System.arraycopy(testErr, s * k, o.testErr, i * k, k);
        }
        return o;
    }
}
