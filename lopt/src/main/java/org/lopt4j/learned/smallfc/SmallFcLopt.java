package org.lopt4j.learned.smallfc;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.learned.Workspace;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps;
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
 * The ladder: {@link SmallFcLoptSpec} → {@link SmallFcLoptRef} → {@link SmallFcLoptSimd} → small_fc_lopt.cu / .cl.
 */
public record SmallFcLopt(int hiddenSize, int hiddenLayers, double stepMult, double expMult, double lr,
                          NonFinitePolicy policy) implements LearnedOptimizer<SmallFcLopt.State> {
    public static final float[] MOM_DECAYS = {0.9f, 0.99f, 0.999f}, RMS_DECAYS = {0.999f}, ADAFACTOR_DECAYS = {0.9f, 0.99f, 0.999f};
    /** Features that are normalized per tensor. */
    public static final int NORMALIZED = 28;
    public static final int INPUTS = NORMALIZED + TimeFeatures.TAU.length;

    /** Google's {@code AdafacMLPLOpt()}: hidden 4, 2 hidden layers, multipliers 0.001. */
    public static SmallFcLopt google() { return new SmallFcLopt(4, 2, 0.001, 0.001, 1, NonFinitePolicy.SKIP_AND_COUNT); }

    /** PyLO's μLO shape: hidden 32 (one hidden→hidden layer, i.e. 2 hidden layers here), step_mult 0.01. */
    public static SmallFcLopt mulo() { return new SmallFcLopt(32, 2, 0.01, 0.001, 1, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public String name() { return "small_fc_lopt"; }

    @Override public Class<State> stateType() { return State.class; }

    /** Layer widths, input to output. */
    public int[] widths() {
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
    public static float decay(float d0, float offset) {
        float param = (float) Math.log(1f - d0) / 10f;
        return 1f - (float) Math.exp(10f * (param + offset));
    }

    /**
     * What the kernels read of a θ population, formed once per θ: the members' MLPs packed, and per member the 7
     * effective decays (momentum ×3 unclipped, rms and adafactor ×3 clipped to [0, 1]) then 1 − each.
     */
    public record Packed(PackedMlp mlp, float[] decays) {
        static Packed of(SmallFcLopt lo, Slab theta) {
            int members = lo.members(theta);
            SlabLayout one = lo.thetaLayout();
            float[] flat = theta.flat().toFloatArray();
            int[] w = lo.widths();
            String[] wn = new String[w.length - 1], bn = new String[w.length - 1];
            for (int l = 0; l + 1 < w.length; l++) { wn[l] = "nn/~/w" + l; bn[l] = "nn/~/b" + l; }
            float[] dec = new float[members * LearnedOps.FactoredArgs.DECAYS];
            for (int m = 0; m < members; m++) {
                int base = m * one.size();
                float[] d = new float[7];
                for (int k = 0; k < 3; k++) {
                    d[k] = decay(MOM_DECAYS[k], flat[base + one.offset(one.index("momentum_decays")) + k]);
                    d[4 + k] = clip01(decay(ADAFACTOR_DECAYS[k], flat[base + one.offset(one.index("adafactor_decays")) + k]));
                }
                d[3] = clip01(decay(RMS_DECAYS[0], flat[base + one.offset(one.index("rms_decays"))]));
                for (int k = 0; k < 7; k++) {
                    dec[m * LearnedOps.FactoredArgs.DECAYS + k] = d[k];
                    dec[m * LearnedOps.FactoredArgs.DECAYS + 7 + k] = (float) (1 - (double) d[k]);
                }
            }
            return new Packed(PackedMlp.of(flat, one, members, wn, bn, w), dec);
        }

        private static float clip01(float x) { return Math.min(1f, Math.max(0f, x)); }
    }

    @Override public Optimizer<State> optimizer(Slab theta) { return optimizer(theta, UpdateOptions.NONE); }

    /** PyLO's {@code AdafacLO_naive} options: {@code lr}, {@code weight_decay}, {@code max_grad_norm}. */
    @Override public Optimizer<State> optimizer(Slab theta, UpdateOptions options) { return new Opt(this, Packed.of(this, theta), options); }

    /**
     * small_fc_lopt's state: the accumulators, the members' update counts ({@link UpdateCounts}), the layout's tables
     * and this state's own kernel workspace (the packed θ it last ran with, scratch, the skip count); counters. The
     * {@code updates} and {@code hostSkips} fields count what the host decided; steps the kernels skipped for
     * non-finite gradients are counted on the device and read only when {@link #step()} or {@link #skipped()} is
     * asked under a skipping policy.
     */
    public record State(Accumulators acc, Slab count, FactoredTables tables, Workspace workspace, int updates, int hostSkips)
            implements OptState<State> {
        @Override public int step() { return updates - workspace.skipped(); }
        @Override public int skipped() { return hostSkips + workspace.skipped(); }
        @Override public State applied() { return new State(acc, count, tables, workspace, updates + 1, hostSkips); }
        @Override public State skip() { return new State(acc, count, tables, workspace, updates, hostSkips + 1); }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> m = new LinkedHashMap<>();
            acc.putInto(m);
            m.put("count", count);
            return m;
        }

        @Override public State copy() { return new State(acc.copy(), count.copy(), tables, workspace.fresh(), updates, hostSkips); }

        @Override public State withCounters(Map<String, Integer> c) {
            int device = workspace.skipped();
            return new State(acc, count, tables, workspace, OptState.counter(c, "step") + device, OptState.counter(c, "skipped") - device);
        }
    }

    /** small_fc_lopt with fixed θ as an ordinary optimizer: one call of the backend's learned passes per step. */
    record Opt(SmallFcLopt lopt, Packed theta, UpdateOptions options) implements Optimizer<State> {
        @Override public State init(Slab params) {
            FactoredTables tables = FactoredTables.of(params.layout(), params.backend(), theta.mlp().members());
            Workspace w = new Workspace(params.backend(), params.dtype(), lopt.policy() == NonFinitePolicy.SKIP_AND_COUNT,
                    new int[] {theta.mlp().values().length, theta.decays().length, params.layout().count()}, 3 * tables.meanTotal(),
                    options.maxGradNorm() > 0 ? tables.chunks().tensorOf().numel() : 0);
            w.load(this, theta.mlp().values(), theta.decays(), options.fanInScales(params.layout()));
            return new State(Accumulators.zeros(params), UpdateCounts.zeros(params), tables, w, 0, 0);
        }

        @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            s.tables().check(params);
            if (s.tables().members() != theta.mlp().members()) {
                throw new IllegalArgumentException("θ has " + theta.mlp().members() + " members, the state " + s.tables().members());
            }
            info.checkMembers(theta.mlp().members());
            Workspace w = s.workspace();
            if (!w.holds(this)) w.load(this, theta.mlp().values(), theta.decays(), options.fanInScales(params.layout()));
            if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
            NonFiniteGuard.onDevice(lopt.policy(), params, grads, s.tables().chunks(), 0, 0, w.gradStats());
            params.backend().fused().learned().smallFcLopt(new LearnedOps.SmallFcLoptArgs(
                    s.tables().args(params, grads, s.acc(), w.theta(1), w.scratch(0), s.count(), w, NonFiniteGuard.skipOnDevice(lopt.policy())),
                    w.theta(0), theta.mlp().stride(), lopt.hiddenSize(), lopt.hiddenLayers(), lopt.expMult(), lopt.stepMult() * lopt.lr() * options.lr(),
                    w.theta(2), options.paramDecay(), options.maxGradNorm(), options.maxGradNorm() > 0 ? w.scratch(1) : null));
            return s.applied();
        }

        @Override public String name() { return "small_fc_lopt"; }

        @Override public String describe() {
            return "small_fc_lopt(hidden=" + lopt.hiddenSize() + "x" + lopt.hiddenLayers() + ", step_mult=" + lopt.stepMult() + ", exp_mult=" + lopt.expMult()
                    + options.describe() + ")";
        }
    }
}
