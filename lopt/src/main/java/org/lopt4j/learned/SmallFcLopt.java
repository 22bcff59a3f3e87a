package org.lopt4j.learned;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.optim.FactoredDims;
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
 * small_fc_lopt = learned_optimization's {@code AdafacMLPLOpt} (small_fc_lopt.md): momenta (3 decays), an RMS
 * accumulator, Adafactor-style factored accumulators (3 decays), 28 normalized features plus 11 time features into an
 * MLP; decays are meta-learned offsets in θ. Google defaults: hidden 4 × 2 layers, step and exp multipliers 0.001.
 */
public record SmallFcLopt(int hiddenSize, int hiddenLayers, double stepMult, double expMult, double lr,
                          NonFinitePolicy policy) implements LearnedOptimizer {
    public static final float[] MOM_DECAYS = {0.9f, 0.99f, 0.999f}, RMS_DECAYS = {0.999f}, ADAFACTOR_DECAYS = {0.9f, 0.99f, 0.999f};
    /** Features that are normalized per tensor. */
    public static final int NORMALIZED = 28;
    public static final int INPUTS = NORMALIZED + 11;

    /** Google's {@code AdafacMLPLOpt()}: hidden 4, 2 hidden layers, multipliers 0.001. */
    public static SmallFcLopt google() { return new SmallFcLopt(4, 2, 0.001, 0.001, 1, NonFinitePolicy.SKIP_AND_COUNT); }

    /** PyLO's μLO shape: hidden 32 (one hidden→hidden layer, i.e. 2 hidden layers here), step_mult 0.01. */
    public static SmallFcLopt mulo() { return new SmallFcLopt(32, 2, 0.01, 0.001, 1, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public String name() { return "small_fc_lopt"; }

    int[] widths() {
        int[] w = new int[hiddenLayers + 2];
        w[0] = INPUTS;
        for (int i = 1; i <= hiddenLayers; i++) w[i] = hiddenSize;
        w[w.length - 1] = 2;
        return w;
    }

    @Override public SlabLayout thetaLayout() {
        Map<String, Shape> m = new LinkedHashMap<>();
        m.put("adafactor_decays", Shape.of(3));
        m.put("momentum_decays", Shape.of(3));
        m.put("rms_decays", Shape.of(1));
        int[] w = widths();
        for (int l = 0; l + 1 < w.length; l++) {
            m.put("nn/~/w" + l, Shape.of(w[l], w[l + 1]));
            m.put("nn/~/b" + l, Shape.of(w[l + 1]));
        }
        return SlabLayout.sorted(m);
    }

    /** Google's init: w ~ TruncatedNormal(−2, 2)·(1/sqrt(fan_in)), biases and decay offsets 0. */
    @Override public Slab initTheta(RandomKey key, Backend backend) {
        SlabLayout l = thetaLayout();
        Slab s = Slab.zeros(backend, DType.F32, l);
        for (int i = 0; i < l.count(); i++) {
            if (!l.names().get(i).startsWith("nn/~/w")) continue;
            Tensor r = Tensor.random(backend, DType.F32, l.shape(i), key.child(i), Op.Dist.TRUNCATED_NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(1 / Math.sqrt(l.shape(i).dim(0)))));
        }
        return s;
    }

    /** {@code 1 − (1 − d0)·exp(10·θd)} evaluated in float32 as param_to_decay(decay_to_param(d0) + θd). */
    static float decay(float d0, float offset) {
        float param = (float) Math.log(1f - d0) / 10f;
        return 1f - (float) Math.exp(10f * (param + offset));
    }

    /** One member's θ unpacked: MLP weights and the effective decays (rms and adafactor clipped to [0, 1]). */
    record Theta(float[][] w, float[][] b, float[] mom, float[] rms, float[] ada) {}

    Theta unpack(Slab theta, int member) {
        SlabLayout one = thetaLayout();
        int base = member * one.size();
        float[] flat = theta.flat().slice(0, base, base + one.size(), 1).toFloatArray();
        int[] wd = widths();
        float[][] w = new float[wd.length - 1][], b = new float[wd.length - 1][];
        for (int l = 0; l + 1 < wd.length; l++) {
            w[l] = slice(flat, one, "nn/~/w" + l);
            b[l] = slice(flat, one, "nn/~/b" + l);
        }
        float[] mo = slice(flat, one, "momentum_decays"), ro = slice(flat, one, "rms_decays"), ao = slice(flat, one, "adafactor_decays");
        float[] mom = new float[3], rms = new float[1], ada = new float[3];
        for (int k = 0; k < 3; k++) {
            mom[k] = decay(MOM_DECAYS[k], mo[k]);                                   // momentum decays are not clipped
            ada[k] = Math.min(1f, Math.max(0f, decay(ADAFACTOR_DECAYS[k], ao[k])));
        }
        rms[0] = Math.min(1f, Math.max(0f, decay(RMS_DECAYS[0], ro[0])));
        return new Theta(w, b, mom, rms, ada);
    }

    private static float[] slice(float[] flat, SlabLayout l, String name) {
        int i = l.index(name);
        return java.util.Arrays.copyOfRange(flat, l.offset(i), l.offset(i) + l.numel(i));
    }

    @Override public Optimizer<NamedState> optimizer(Slab theta) {
        int members = theta.layout().size() / thetaLayout().size();
        if (members * thetaLayout().size() != theta.layout().size()) throw new IllegalArgumentException("θ does not have the " + name() + " layout");
        List<Theta> ts = new ArrayList<>();
        for (int m = 0; m < members; m++) ts.add(unpack(theta, m));
        return new Opt(this, ts, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /** Row-accumulator layout: the row shape of factored tensors, the tensor's own shape (v_diag) otherwise. */
    static SlabLayout rowLayout(SlabLayout p) {
        List<Shape> s = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            FactoredDims f = FactoredDims.of(p.shape(i));
            s.add(f == null ? Shape.of(Math.max(1, p.numel(i))) : f.rowShape());
        }
        return SlabLayout.of(p.names(), s);
    }

    /** Column-accumulator layout: the column shape of factored tensors, empty otherwise. */
    static SlabLayout colLayout(SlabLayout p) {
        List<Shape> s = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            FactoredDims f = FactoredDims.of(p.shape(i));
            s.add(f == null ? Shape.of(0) : f.colShape());
        }
        return SlabLayout.of(p.names(), s);
    }

    /**
     * small_fc_lopt with fixed θ as an ordinary optimizer. State: m0..m2, v (like params), r0..r2, c0..c2. Slabs on a
     * CPU backend run {@link SmallFcLoptKernel}; slabs on a device run its kernels through the tables in
     * {@code device}, built at the first step on that layout.
     */
    record Opt(SmallFcLopt lopt, List<Theta> thetas, java.util.concurrent.atomic.AtomicReference<SmallFcLoptDevice> device)
            implements Optimizer<NamedState> {
        @Override public NamedState init(Slab params) {
            Map<String, Slab> s = new LinkedHashMap<>();
            for (int k = 0; k < 3; k++) s.put("m" + k, params.zerosLike());
            s.put("v", params.zerosLike());
            for (int k = 0; k < 3; k++) {
                s.put("r" + k, Slab.zeros(params.backend(), params.dtype(), rowLayout(params.layout())));
                s.put("c" + k, Slab.zeros(params.backend(), params.dtype(), colLayout(params.layout())));
            }
            return new NamedState(0, 0, s);
        }

        @Override public NamedState update(NamedState state, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            if (!NonFiniteGuard.admit(lopt.policy(), grads)) return state.skip();
            int[] steps = Features.steps(info, thetas.size(), state.step());
            if (params.flat().storage() instanceof org.lopt4j.tensor.cpu.CpuStorage) {
                SmallFcLoptKernel.update(lopt, thetas, params, grads, state, steps);
            } else {
                SmallFcLoptDevice plan = device.get();
                if (plan == null || !plan.fits(params)) device.set(plan = new SmallFcLoptDevice(lopt, thetas, params.layout(), params.backend()));
                plan.step(lopt, params, grads, state, Features.time(steps));
            }
            return state.applied();
        }

        @Override public String name() { return "small_fc_lopt"; }

        @Override public String describe() {
            return "small_fc_lopt(hidden=" + lopt.hiddenSize() + "x" + lopt.hiddenLayers() + ", step_mult=" + lopt.stepMult() + ", exp_mult=" + lopt.expMult() + ")";
        }
    }
}
