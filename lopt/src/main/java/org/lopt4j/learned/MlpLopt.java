package org.lopt4j.learned;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.optim.NamedState;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * MLPLOpt (LOLv2, mlp_lopt.md): six fixed-decay momenta per parameter; features {@code [g, p, m(6)]} normalized per
 * column over each tensor, plus 11 time features, through an MLP (Haiku {@code mlp/~/linear_i}) to a direction and a
 * log-magnitude; {@code p ← p − d·exp(expMult·mag)·stepMult}. Defaults: hidden (32, 32), both multipliers 0.001.
 */
public record MlpLopt(int[] hidden, double expMult, double stepMult, NonFinitePolicy policy) implements LearnedOptimizer, DifferentiableUpdate {
    /** The six momentum decays (fixed, not meta-learned). */
    public static final float[] DECAYS = {0.1f, 0.5f, 0.9f, 0.99f, 0.999f, 0.9999f};
    /** g, p and the six momenta. */
    public static final int NORMALIZED = 8;
    /** Input width of the MLP: 8 normalized features and 11 time features. */
    public static final int INPUTS = NORMALIZED + Features.TAU.length;

    public MlpLopt {
        hidden = hidden.clone();
    }

    public static MlpLopt defaults() { return new MlpLopt(new int[] {32, 32}, 0.001, 0.001, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public String name() { return "mlp_lopt"; }

    @Override public int[] hidden() { return hidden.clone(); }

    @Override public String toString() {
        return "MlpLopt[hidden=" + java.util.Arrays.toString(hidden) + ", expMult=" + expMult + ", stepMult=" + stepMult + ", policy=" + policy + "]";
    }

    @Override public boolean equals(Object o) {
        return o instanceof MlpLopt m && java.util.Arrays.equals(hidden, m.hidden) && expMult == m.expMult && stepMult == m.stepMult && policy == m.policy;
    }

    @Override public int hashCode() { return java.util.Arrays.hashCode(hidden) * 31 + Double.hashCode(expMult); }

    /** Layer widths, input to output. */
    int[] widths() {
        int[] w = new int[hidden.length + 2];
        w[0] = INPUTS;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = 2;
        return w;
    }

    @Override public SlabLayout thetaLayout() {
        Map<String, Shape> m = new LinkedHashMap<>();
        int[] w = widths();
        for (int l = 0; l + 1 < w.length; l++) {
            m.put("mlp/~/linear_" + l + "/w", Shape.of(w[l], w[l + 1]));
            m.put("mlp/~/linear_" + l + "/b", Shape.of(w[l + 1]));
        }
        return SlabLayout.sorted(m);
    }

    /** Haiku init: w ~ TruncatedNormal(stddev 1/sqrt(fan_in)), b = 0. */
    @Override public Slab initTheta(RandomKey key, Backend backend) {
        SlabLayout l = thetaLayout();
        Slab s = Slab.zeros(backend, DType.F32, l);
        for (int i = 0; i < l.count(); i++) {
            if (!l.names().get(i).endsWith("/w")) continue;
            Shape sh = l.shape(i);
            Tensor r = Tensor.random(backend, DType.F32, sh, key.child(i), Op.Dist.TRUNCATED_NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(1 / Math.sqrt(sh.dim(0)) / 0.87962566103423978)));
        }
        return s;
    }

    @Override public int stateBuffers() { return DECAYS.length; }

    /** mlp_lopt.md's update over TensorLike: momenta, per-member column normalization, time features, MLP, step. */
    @Override public <T extends org.lopt4j.tensor.TensorLike<T>> List<T> update(Map<String, T> theta, T p, T g, List<T> m, int[] steps) {
        int members = p.dim(0), n = p.dim(1);
        List<T> out = new ArrayList<>(List.of(p)), cols = new ArrayList<>(List.of(p.reshape(members, n, 1)));
        for (int k = 0; k < DECAYS.length; k++) {
            double b = DECAYS[k];
            T mk = m.get(k).mul(b).add(g.mul(1 - b));
            out.add(mk);
            cols.add(mk.reshape(members, n, 1));
        }
        T x = g.reshape(members, n, 1).cat(2, cols);                                      // [P, n, 8]: g, p, m(6)
        x = x.mul(x.square().meanKeep(1).add(Features.NORM_EPS).sqrt().recip());
        double[] td = new double[members * Features.TAU.length];
        for (int q = 0; q < members; q++) {
            float[] t = Features.time(steps[q]);
            for (int k = 0; k < t.length; k++) td[q * t.length + k] = t[k];
        }
        Tensor time = Tensor.of(x.value().backend(), td, members, 1, Features.TAU.length).to(x.dtype()).expand(Shape.of(members, n, Features.TAU.length));
        T h = x.cat(2, List.of(x.constant(time))).reshape(members * n, INPUTS);
        int layers = widths().length - 1;
        for (int i = 0; i < layers; i++) {
            h = h.matmul(theta.get("mlp/~/linear_" + i + "/w")).add(theta.get("mlp/~/linear_" + i + "/b"));
            if (i < layers - 1) h = h.maximum(h.scalar(0));
        }
        T dir = h.slice(1, 0, 1, 1), mag = h.slice(1, 1, 2, 1);
        T step = dir.mul(mag.mul(expMult).exp()).mul(stepMult);
        out.set(0, p.sub(step.reshape(members, n)));
        return out;
    }

    /** θ of one member as per-layer float arrays: w[l] row-major [fan_in × fan_out], b[l]. */
    record Weights(float[][] w, float[][] b) {}

    Weights weights(Slab theta, int member) {
        SlabLayout one = thetaLayout();
        int[] wd = widths();
        float[][] w = new float[wd.length - 1][], b = new float[wd.length - 1][];
        int base = member * one.size();
        float[] flat = theta.flat().slice(0, base, base + one.size(), 1).toFloatArray();
        for (int l = 0; l + 1 < wd.length; l++) {
            int wi = one.index("mlp/~/linear_" + l + "/w"), bi = one.index("mlp/~/linear_" + l + "/b");
            w[l] = java.util.Arrays.copyOfRange(flat, one.offset(wi), one.offset(wi) + one.numel(wi));
            b[l] = java.util.Arrays.copyOfRange(flat, one.offset(bi), one.offset(bi) + one.numel(bi));
        }
        return new Weights(w, b);
    }

    @Override public Optimizer<NamedState> optimizer(Slab theta) {
        int members = theta.layout().size() / thetaLayout().size();
        if (members * thetaLayout().size() != theta.layout().size()) throw new IllegalArgumentException("θ does not have the " + name() + " layout");
        List<Weights> ws = new ArrayList<>();
        for (int m = 0; m < members; m++) ws.add(weights(theta, m));
        return new Opt(this, ws, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /**
     * MLPLOpt with fixed θ as an ordinary optimizer: state = six momentum slabs. Slabs on a CPU backend run
     * {@link MlpLoptKernel}; slabs on a device run its kernels through the tables in {@code device}, built at the first
     * step on that layout.
     */
    record Opt(MlpLopt lopt, List<Weights> thetas, java.util.concurrent.atomic.AtomicReference<MlpLoptDevice> device)
            implements Optimizer<NamedState> {
        @Override public NamedState init(Slab params) {
            Map<String, Slab> s = new LinkedHashMap<>();
            for (int k = 0; k < DECAYS.length; k++) s.put("m" + k, params.zerosLike());
            return new NamedState(0, 0, s);
        }

        @Override public NamedState update(NamedState state, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            if (!NonFiniteGuard.admit(lopt.policy(), grads)) return state.skip();
            Slab[] m = new Slab[DECAYS.length];
            for (int k = 0; k < m.length; k++) m[k] = state.slab("m" + k);
            int[] steps = Features.steps(info, thetas.size(), state.step());
            if (params.flat().storage() instanceof org.lopt4j.tensor.cpu.CpuStorage) {
                MlpLoptKernel.fused(lopt, thetas, params, grads, m, steps);
            } else {
                MlpLoptDevice plan = device.get();
                if (plan == null || !plan.fits(params)) device.set(plan = new MlpLoptDevice(lopt, thetas, params.layout(), params.backend()));
                plan.step(lopt, params, grads, state, Features.time(steps));
            }
            return state.applied();
        }

        @Override public String name() { return "mlp_lopt"; }

        @Override public String describe() {
            return "mlp_lopt(hidden=" + java.util.Arrays.toString(lopt.hidden()) + ", exp_mult=" + lopt.expMult() + ", step_mult=" + lopt.stepMult() + ")";
        }
    }
}
