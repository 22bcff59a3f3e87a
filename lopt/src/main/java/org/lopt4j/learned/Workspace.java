package org.lopt4j.learned;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;

/**
 * A learned optimizer state's own kernel buffers on its backend (F32): the θ-derived inputs of the optimizer that last
 * ran on the state (written once per optimizer and state, not per step: an unroll builds its optimizer once), the
 * members' time features (written each step) and scratch. A copied state gets fresh buffers, so copies can step on
 * different threads.
 */
public final class Workspace {
    private final Backend backend;
    private final Tensor time;
    private final Tensor[] theta, scratch;
    private Object loaded;

    /** Buffers on {@code backend}: {@code timeFloats} for time features, one per θ part, one per scratch size. */
    public Workspace(Backend backend, int timeFloats, int[] thetaSizes, int... scratchSizes) {
        this.backend = backend;
        this.time = zeros(timeFloats);
        this.theta = new Tensor[thetaSizes.length];
        for (int i = 0; i < theta.length; i++) theta[i] = zeros(thetaSizes[i]);
        this.scratch = new Tensor[scratchSizes.length];
        for (int i = 0; i < scratch.length; i++) scratch[i] = zeros(scratchSizes[i]);
    }

    private Tensor zeros(int n) { return Tensor.zeros(backend, DType.F32, Math.max(1, n)); }

    /** New buffers of the same sizes, nothing loaded. */
    public Workspace fresh() {
        int[] ts = new int[theta.length], ss = new int[scratch.length];
        for (int i = 0; i < ts.length; i++) ts[i] = theta[i].numel();
        for (int i = 0; i < ss.length; i++) ss[i] = scratch[i].numel();
        return new Workspace(backend, time.numel(), ts, ss);
    }

    /** Writes {@code parts} (the θ-derived inputs of {@code source}) into the θ buffers unless they hold {@code source} already. */
    public void load(Object source, float[]... parts) {
        if (loaded == source) return;
        if (parts.length != theta.length) throw new IllegalArgumentException(parts.length + " θ parts for " + theta.length + " buffers");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].length > theta[i].numel()) throw new IllegalArgumentException("this optimizer state was made for a smaller θ population");
            theta[i].storage().write(0, parts[i]);
        }
        loaded = source;
    }

    /** Writes this step's time features. */
    public Tensor time(float[] values) {
        time.storage().write(0, values);
        return time;
    }

    /** θ buffer {@code i}. */
    public Tensor theta(int i) { return theta[i]; }

    /** Scratch buffer {@code i}. */
    public Tensor scratch(int i) { return scratch[i]; }
}
