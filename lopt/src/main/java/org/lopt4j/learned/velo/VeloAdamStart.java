package org.lopt4j.learned.velo;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * A VeLO θ that starts as Adam with a step relative to each tensor's scale: every bank MLP passes through the
 * fast-momentum Adam direction (feature group 5, decay 0.9, normalized over the tensor) as its {@code dir} output,
 * the mixing controls are constant, and the step multiplier is {@code step}, so one update is
 * {@code p ← p − step · 0.001 · rms(p) · normalize(m / sqrt(v + 1e-6))} before any meta-training.
 *
 * <p>Why: from Haiku's random initialization VeLO's step grows the weights that scale it, and most inner runs
 * diverge within a few steps, which leaves an ES/PES meta-gradient little to read; a θ that trains every task from the
 * first outer step gives it a signal. {@code noise} scales Haiku's random initialization, added to every bank member
 * and to the weights that read the LSTM state, so that bank members and controls are not symmetric (with 0 they
 * would receive equal meta-gradients forever).
 */
public final class VeloAdamStart {
    /** The mixing controls' constant value and each bank member's identity-path weight: 100 · 0.1 · 0.1 = 1. */
    static final float CONTROL = 0.1f, BANK = 0.1f;
    /** The symmetry-breaking noise a meta-training config's Adam start uses. */
    public static final double NOISE = 0.01;

    private VeloAdamStart() {}

    /** The Adam-like θ of {@code velo} with step multiplier {@code step} and symmetry-breaking {@code noise}. */
    public static Slab theta(Velo velo, double step, double noise, RandomKey key, Backend backend) {
        if (!(step > 0) || Double.isInfinite(step)) throw new IllegalArgumentException("the Adam start's step multiplier must be positive and finite, got " + step);
        if (!(noise >= 0) || Double.isInfinite(noise)) throw new IllegalArgumentException("the Adam start's noise must be ≥ 0 and finite, got " + noise);
        Slab theta = velo.initTheta(key, backend);
        SlabLayout l = theta.layout();
        int banks = velo.paramInits(), h = Velo.HIDDEN, out = Velo.OUTPUTS;
        for (int i = 0; i < l.count(); i++) {
            String name = l.names().get(i);
            Tensor t = theta.tensor(i);
            float[] v = t.toFloatArray();
            if (name.startsWith("ff_mod_stack/") || name.equals("rnn_params/rnn_to_controls/w") || name.equals("rnn_params/step_size/w"))
                for (int e = 0; e < v.length; e++) v[e] *= (float) noise;
            // W_j = (100 / banks) · Σ_k ctrl_k · B_k (velo.md §7): controls of 0.1 and a bank at a tenth of the identity
            // path make W_j that path, and a step of Adam on θ moves both by a like fraction of their size.
            if (name.equals("rnn_params/rnn_to_controls/b")) java.util.Arrays.fill(v, CONTROL);
            if (name.equals("rnn_params/step_size/b")) v[0] = (float) step;
            int groupFive = Velo.GROUPS[5] * h; // w0__5 is [banks, 3, 4]; its row 0 reads m·r at decay 0.9
            for (int k = 0; k < banks; k++) {
                // relu(x) − relu(−x) = x through both hidden layers, on hidden units 0 and 1.
                if (name.equals("ff_mod_stack/~/w0__5")) { v[k * groupFive] += BANK; v[k * groupFive + 1] -= BANK; }
                if (name.equals("ff_mod_stack/~/w1")) {
                    int o = k * h * h;
                    v[o] += BANK; v[o + h] -= BANK; v[o + 1] -= BANK; v[o + h + 1] += BANK;
                }
                if (name.equals("ff_mod_stack/~/w2")) { v[k * h * out] += BANK; v[k * h * out + out] -= BANK; }
            }
            t.assign(Tensor.of(backend, v, t.shape().dims()).to(t.dtype()));
        }
        return theta;
    }
}
