package org.lopt4j.learned.celo2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.learned.Workspace;
import org.lopt4j.learned.smallfc.Accumulators;
import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.Schedule;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * CELO2 and ELO-CELO2 (celo2.md; PyLO's {@code CELO2_naive}, {@code ELO_CELO2_naive}): momentum, RMS and Adafactor
 * accumulators at fixed decays, 30 features in 14 groups normalized over each tensor's last two axes, a split-input
 * MLP (hidden 8, two dense layers, 3 outputs), Newton–Schulz orthogonalization of each update over its last two axes,
 * the update normalized the same way; tensors of rank ≤ 1 take AdamW (ELO-CELO2: over the shared accumulators).
 * θ is the MLP only. The step is the backend's {@code LearnedOps.celo2} pass: the twin {@link Celo2Ref} on the scalar
 * backend, {@link Celo2Simd} on float slabs of the SIMD backend, celo2.cu / celo2.cl on the devices (tables in
 * {@link Celo2Plan}).
 *
 * @param variant        CELO2 (own AdamW moments) or ELO-CELO2 (AdamW over the shared momentum and RMS)
 * @param hidden         MLP width (PyLO's ff_hidden_size)
 * @param lr             learning rate (PyLO's default 1e-3; an external schedule may drive it through UpdateOptions.lr)
 * @param weightDecay    decoupled weight decay of the CELO2 branch ({@code p ← p − lr·(step + wd·p)})
 * @param adamLrMult     the AdamW branch's lr is {@code adamLrMult·lr}
 * @param adamWeightDecay its weight decay
 * @param orthogonalize  Newton–Schulz on each update (false: "celo2-base")
 * @param clipNorm       global gradient norm clip (0 = off; ELO-CELO2's default 1)
 * @param gradClipVal    element clip of every gradient (1000)
 * @param expMult        magnitude multiplier (0: the magnitude output is unused)
 */
public record Celo2(Variant variant, int hidden, double lr, double weightDecay, double adamLrMult, double adamWeightDecay, boolean orthogonalize,
                    double clipNorm, double gradClipVal, double expMult, NonFinitePolicy policy) implements LearnedOptimizer<Celo2.State> {
    /** Which branch runs rank-≤ 1 tensors' AdamW. */
    public enum Variant { CELO2, ELO_CELO2 }

    /** Widths of the 14 feature groups (celo2.md §1.2), 30 in all. */
    public static final int[] GROUPS = {1, 1, 1, 3, 1, 3, 1, 3, 1, 3, 3, 3, 3, 3};
    public static final int FEATURES = 30, OUTPUTS = 3;
    /** Momentum, RMS and Adafactor decays (raw, not meta-learned). */
    static final float[] MOM = {0.9f, 0.99f, 0.999f}, ADA = {0.9f, 0.99f, 0.999f};
    static final float RMS = 0.95f;
    /** AdamW's betas: CELO2's own (0.9, 0.95); ELO-CELO2 reads them off the shared accumulators, the same values. */
    static final double BETA1 = 0.9, BETA2 = 0.95, ADAM_EPS = 1e-8;

    /** PyLO's {@code CELO2_naive()} defaults. */
    public static Celo2 celo2() { return new Celo2(Variant.CELO2, 8, 1e-3, 0, 1, 0, true, 0, 1000, 0, NonFinitePolicy.ZERO_NONFINITE); }

    /** PyLO's {@code ELO_CELO2_naive()} defaults: weight decay 0.1, global norm clip 1. */
    public static Celo2 eloCelo2() { return new Celo2(Variant.ELO_CELO2, 8, 1e-3, 0.1, 1, 0.1, true, 1, 1000, 0, NonFinitePolicy.ZERO_NONFINITE); }

    /** This optimizer at learning rate {@code lr} with weight decay {@code wd} on both branches (PyLO's adam_weight_decay defaults to weight_decay). */
    public Celo2 with(double lr, double wd) {
        return new Celo2(variant, hidden, lr, wd, adamLrMult, wd, orthogonalize, clipNorm, gradClipVal, expMult, policy);
    }

    @Override public String name() { return variant == Variant.CELO2 ? "celo2" : "elo_celo2"; }

    @Override public Class<State> stateType() { return State.class; }

    @Override public SlabLayout thetaLayout() {
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < GROUPS.length; i++) { names.add("w0/" + i); shapes.add(Shape.of(GROUPS[i], hidden)); }
        names.add("b0");
        shapes.add(Shape.of(hidden));
        names.add("dense_w/0");
        shapes.add(Shape.of(hidden, hidden));
        names.add("dense_b/0");
        shapes.add(Shape.of(hidden));
        names.add("dense_w/1");
        shapes.add(Shape.of(hidden, OUTPUTS));
        names.add("dense_b/1");
        shapes.add(Shape.of(OUTPUTS));
        return SlabLayout.of(names, shapes);
    }

    /** PyLO's CELO2MLP init: truncated normal weights, std 1/√30 for the split layer and 1/√fan_in after it, biases 0. */
    @Override public Slab initTheta(RandomKey key, Backend backend) {
        SlabLayout l = thetaLayout();
        Slab s = Slab.zeros(backend, DType.F32, l);
        for (int i = 0; i < l.count(); i++) {
            String n = l.names().get(i);
            if (!n.contains("w")) continue;
            double std = n.startsWith("w0/") ? 1 / Math.sqrt(FEATURES) : 1 / Math.sqrt(l.shape(i).dim(0));
            Tensor r = Tensor.random(backend, DType.F32, l.shape(i), key.child(i), Op.Dist.TRUNCATED_NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(std)));
        }
        return s;
    }

    /** Floats of one member's MLP as the {@code celo2} pass reads it (LearnedOps.Celo2Args: w0, b0, w1, b1, w2, b2 packed). */
    public int packedSize() { return FEATURES * hidden + hidden + hidden * hidden + hidden + OUTPUTS * hidden + OUTPUTS; }

    /** Each member's θ ({@link #thetaLayout}, whose parts may be padded apart) packed for the pass. */
    float[] pack(float[] theta) {
        SlabLayout l = thetaLayout();
        int members = theta.length / l.size(), stride = packedSize();
        float[] out = new float[members * stride];
        for (int m = 0; m < members; m++) {
            int at = m * l.size(), to = m * stride;
            for (int i = 0, q = 0; i < GROUPS.length; i++) {
                for (int k = 0; k < GROUPS[i]; k++, q++) System.arraycopy(theta, at + l.offset(l.index("w0/" + i)) + k * hidden, out, to + q * hidden, hidden);
            }
            to += FEATURES * hidden;
            for (String part : new String[] {"b0", "dense_w/0", "dense_b/0", "dense_w/1", "dense_b/1"}) {
                int n = l.numel(l.index(part));
                System.arraycopy(theta, at + l.offset(l.index(part)), out, to, n);
                to += n;
            }
        }
        return out;
    }

    @Override public Optimizer<State> optimizer(Slab theta) { return optimizer(theta, UpdateOptions.NONE); }

    /** The step scaled by {@code options.lr()} (a schedule's factor on {@link #lr}); a weight decay in the options replaces the record's; no per-tensor clip. */
    @Override public Optimizer<State> optimizer(Slab theta, UpdateOptions options) {
        return optimizer(theta, options, new Schedule.Constant(lr));
    }

    /**
     * The optimizer with its learning rate from {@code schedule} at each step ({@code schedule.at(step, numSteps)} of
     * the step's {@link StepInfo}, times {@code options.lr()}): PyLO drives CELO2's lr with an external scheduler.
     */
    public Optimizer<State> optimizer(Slab theta, UpdateOptions options, Schedule schedule) {
        if (options.maxGradNorm() > 0) throw new IllegalArgumentException(name() + " clips the global gradient norm (clipNorm), not each tensor's");
        if (options.fanInReference() > 0) throw new IllegalArgumentException(name() + " normalizes each update itself; fan-in scaling is small_fc_lopt's");
        members(theta);
        Celo2 c = options.weightDecay() > 0 ? with(lr, options.weightDecay()) : this;
        return new Opt(c, theta.flat().toFloatArray(), schedule, options.lr());
    }

    /**
     * The state: the accumulators (momenta, RMS as {@code v}, Adafactor rows and columns), AdamW's own moments
     * ({@code adamM}, {@code adamV}; CELO2 only), the update counts, the tables and workspace of the accumulator pass,
     * and the plan of the CELO2 pass.
     */
    public record State(Accumulators acc, Slab adamM, Slab adamV, Slab count, FactoredTables tables, Workspace workspace, Celo2Plan plan,
                        int updates, int skipped) implements OptState<State> {
        @Override public int step() { return updates; }
        @Override public State applied() { return new State(acc, adamM, adamV, count, tables, workspace, plan, updates + 1, skipped); }
        @Override public State skip() { return new State(acc, adamM, adamV, count, tables, workspace, plan, updates, skipped + 1); }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> m = new LinkedHashMap<>();
            acc.putInto(m);
            m.put("adam_m", adamM);
            m.put("adam_v", adamV);
            m.put("count", count);
            return m;
        }

        @Override public State copy() {
            return new State(acc.copy(), adamM.copy(), adamV.copy(), count.copy(), tables, workspace.fresh(), Celo2Plan.of(tables),
                    updates, skipped);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            return new State(acc, adamM, adamV, count, tables, workspace, plan, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    /**
     * CELO2 with fixed θ (one per member; {@code packed} as the pass reads it, {@code decays} the accumulators' per
     * member), its learning rate {@code lrMult·schedule.at(step, numSteps)}.
     */
    record Opt(Celo2 celo2, int members, float[] packed, float[] decays, Schedule schedule, double lrMult) implements Optimizer<State> {
        Opt(Celo2 celo2, float[] theta, Schedule schedule, double lrMult) {
            this(celo2, theta.length / celo2.thetaLayout().size(), celo2.pack(theta), decays(theta.length / celo2.thetaLayout().size()), schedule, lrMult);
        }

        /** Momentum ×3, RMS, Adafactor ×3 (FactoredArgs.DECAYS), then 1 − each, per member. */
        static float[] decays(int members) {
            float[] dec = new float[members * 14];
            float[] d = {MOM[0], MOM[1], MOM[2], RMS, ADA[0], ADA[1], ADA[2]};
            for (int m = 0; m < members; m++) {
                for (int k = 0; k < 7; k++) {
                    dec[m * 14 + k] = d[k];
                    dec[m * 14 + 7 + k] = (float) (1 - (double) d[k]);
                }
            }
            return dec;
        }

        @Override public State init(Slab params) {
            FactoredTables tables = FactoredTables.of(params.layout(), params.backend(), members);
            Workspace w = new Workspace(params.backend(), params.dtype(), false, new int[] {decays.length, packed.length}, 3 * tables.meanTotal());
            w.load(this, decays, packed);
            return new State(Accumulators.zeros(params), params.zerosLike(), params.zerosLike(), UpdateCounts.zeros(params), tables, w,
                    Celo2Plan.of(tables), 0, 0);
        }

        /**
         * One step. Non-finite gradients: the skipping policy decides on the host (a read of the gradient statistics);
         * the others zero them on the device, and the step reads nothing back.
         */
        @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            s.tables().check(params);
            Workspace w = s.workspace();
            if (celo2.policy() == NonFinitePolicy.SKIP_AND_COUNT) {
                if (!NonFiniteGuard.admit(celo2.policy(), params, grads, s.tables().chunks())) return s.skip();
            } else {
                NonFiniteGuard.onDevice(celo2.policy(), params, grads, s.tables().chunks(), 0, 0, w.gradStats());
            }
            if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
            double lr = lrMult * schedule.at(s.step(), info.numSteps());
            w.load(this, decays, packed);                      // θ goes up once per (optimizer, state)
            FactoredArgs a = s.tables().args(params, grads, s.acc(), w.theta(0), w.scratch(0), s.count(), w, 0);
            Tensor adamM = celo2.variant() == Variant.CELO2 ? s.adamM().flat() : null, adamV = adamM == null ? null : s.adamV().flat();
            params.backend().fused().learned().celo2(s.plan().args(celo2, a, w.theta(1), params.layout().count() / members, adamM, adamV, lr));
            return s.applied();
        }

        @Override public String name() { return celo2.name(); }

        @Override public String describe() {
            return celo2.name() + "(lr=" + schedule + (lrMult == 1 ? "" : " x " + lrMult) + ", weight_decay=" + celo2.weightDecay() + (celo2.orthogonalize() ? "" : ", no orthogonalization") + ")";
        }
    }
}
