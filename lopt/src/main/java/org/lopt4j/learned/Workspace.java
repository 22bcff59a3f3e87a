package org.lopt4j.learned;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;

/**
 * A learned optimizer state's own kernel buffers on its backend: the θ-derived inputs of the optimizer that last ran
 * on the state (written once per optimizer and state, not per step: an unroll builds its optimizer once), scratch,
 * the gradient statistics of the current step ({@code [Σg², non-finite count]}, the parameters' dtype) and the count
 * of steps the kernels skipped for non-finite gradients. A copied state gets its own buffers (the skip count copied on
 * the device), so copies can step on different threads.
 */
public final class Workspace {
    private final Backend backend;
    private final DType paramsType;
    private final boolean deviceSkips;
    private final Tensor gradStats, skips;
    private final Tensor[] theta, scratch;
    private Object loaded;

    /**
     * Buffers on {@code backend} for parameters of {@code paramsType}: one per θ part, one per scratch size (F32);
     * {@code deviceSkips}: whether the kernels may skip steps (the non-finite policy skips), so that the skip count is
     * worth reading.
     */
    public Workspace(Backend backend, DType paramsType, boolean deviceSkips, int[] thetaSizes, int... scratchSizes) {
        this.backend = backend;
        this.paramsType = paramsType;
        this.deviceSkips = deviceSkips;
        this.gradStats = Tensor.zeros(backend, paramsType, 2);
        this.skips = Tensor.zeros(backend, DType.F32, 1);
        this.theta = new Tensor[thetaSizes.length];
        for (int i = 0; i < theta.length; i++) theta[i] = zeros(thetaSizes[i]);
        this.scratch = new Tensor[scratchSizes.length];
        for (int i = 0; i < scratch.length; i++) scratch[i] = zeros(scratchSizes[i]);
    }

    private Tensor zeros(int n) { return Tensor.zeros(backend, DType.F32, Math.max(1, n)); }

    /** New buffers of the same sizes, nothing loaded, the skip count copied. */
    public Workspace fresh() {
        int[] ts = new int[theta.length], ss = new int[scratch.length];
        for (int i = 0; i < ts.length; i++) ts[i] = theta[i].numel();
        for (int i = 0; i < ss.length; i++) ss[i] = scratch[i].numel();
        Workspace w = new Workspace(backend, paramsType, deviceSkips, ts, ss);
        w.skips.assign(skips);
        return w;
    }

    /** Whether the θ buffers hold {@code source}'s inputs already (so a caller need not build them again). */
    public boolean holds(Object source) { return loaded == source; }

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

    /** θ buffer {@code i}. */
    public Tensor theta(int i) { return theta[i]; }

    /** Scratch buffer {@code i}. */
    public Tensor scratch(int i) { return scratch[i]; }

    /** The current step's gradient statistics. */
    public Tensor gradStats() { return gradStats; }

    /** The device's count of skipped steps (one float). */
    public Tensor skips() { return skips; }

    /** How many steps the kernels skipped: read from the device, and only when they may skip at all. */
    public int skipped() { return deviceSkips ? (int) skips.toDoubleArray()[0] : 0; }
}
