package org.lopt4j.learned.mlp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.DifferentiableUpdate;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.Workspace;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps;
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
 * The ladder: {@link MlpLoptSpec} → {@link MlpLoptRef} → {@link MlpLoptSimd} → mlp_lopt.cu / .cl.
 */
public record MlpLopt(int[] hidden, double expMult, double stepMult, NonFinitePolicy policy) implements LearnedOptimizer<MlpLopt.State>, DifferentiableUpdate {
    /** The six momentum decays (fixed, not meta-learned). */
    public static final float[] DECAYS = {0.1f, 0.5f, 0.9f, 0.99f, 0.999f, 0.9999f};
    /** g, p and the six momenta. */
    public static final int NORMALIZED = 8;
    /** Input width of the MLP: 8 normalized features and 11 time features. */
    public static final int INPUTS = NORMALIZED + TimeFeatures.TAU.length;

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
    public int[] widths() {
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

    @Override public List<String> stateBuffers() { return List.of("m0", "m1", "m2", "m3", "m4", "m5"); }

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
        x = x.mul(x.square().meanKeep(1).add(TimeFeatures.NORM_EPS).sqrt().recip());
        double[] td = new double[members * TimeFeatures.TAU.length];
        for (int q = 0; q < members; q++) {
            float[] t = TimeFeatures.of(steps[q]);
            for (int k = 0; k < t.length; k++) td[q * t.length + k] = t[k];
        }
        Tensor time = Tensor.of(x.value().backend(), td, members, 1, TimeFeatures.TAU.length).to(x.dtype()).expand(Shape.of(members, n, TimeFeatures.TAU.length));
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

    @Override public Class<State> stateType() { return State.class; }

    @Override public Optimizer<State> optimizer(Slab theta) {
        int members = members(theta);
        int[] w = widths();
        String[] wn = new String[w.length - 1], bn = new String[w.length - 1];
        for (int l = 0; l + 1 < w.length; l++) { wn[l] = "mlp/~/linear_" + l + "/w"; bn[l] = "mlp/~/linear_" + l + "/b"; }
        return new Opt(this, PackedMlp.of(theta.flat().toFloatArray(), thetaLayout(), members, wn, bn, w));
    }

    /**
     * MLPLOpt's state: the six momenta (laid out like the parameters), the members' update counts
     * ({@link UpdateCounts}), the layout's tables, this state's workspace; counters as in small_fc_lopt's state (the
     * host's, plus the kernels' skips read when asked).
     */
    public record State(Slab m0, Slab m1, Slab m2, Slab m3, Slab m4, Slab m5, Slab count, MlpLoptTables tables, Workspace workspace,
                        int updates, int hostSkips) implements OptState<State> {
        @Override public int step() { return updates - workspace.skipped(); }
        @Override public int skipped() { return hostSkips + workspace.skipped(); }
        @Override public State applied() { return new State(m0, m1, m2, m3, m4, m5, count, tables, workspace, updates + 1, hostSkips); }
        @Override public State skip() { return new State(m0, m1, m2, m3, m4, m5, count, tables, workspace, updates, hostSkips + 1); }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> m = new LinkedHashMap<>();
            Slab[] all = {m0, m1, m2, m3, m4, m5};
            for (int k = 0; k < all.length; k++) m.put("m" + k, all[k]);
            m.put("count", count);
            return m;
        }

        @Override public State copy() {
            return new State(m0.copy(), m1.copy(), m2.copy(), m3.copy(), m4.copy(), m5.copy(), count.copy(), tables, workspace.fresh(),
                    updates, hostSkips);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            int device = workspace.skipped();
            return new State(m0, m1, m2, m3, m4, m5, count, tables, workspace, OptState.counter(c, "step") + device,
                    OptState.counter(c, "skipped") - device);
        }
    }

    /** MLPLOpt with fixed θ as an ordinary optimizer: one call of the backend's learned passes per step. */
    record Opt(MlpLopt lopt, PackedMlp theta) implements Optimizer<State> {
        @Override public State init(Slab params) {
            MlpLoptTables tables = MlpLoptTables.of(params.layout(), params.backend(), theta.members(), theta.widths());
            Workspace w = new Workspace(params.backend(), params.dtype(), lopt.policy() == NonFinitePolicy.SKIP_AND_COUNT,
                    new int[] {theta.values().length});
            w.load(theta, theta.values());
            return new State(params.zerosLike(), params.zerosLike(), params.zerosLike(), params.zerosLike(), params.zerosLike(),
                    params.zerosLike(), UpdateCounts.zeros(params), tables, w, 0, 0);
        }

        @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            s.tables().check(params);
            if (s.tables().members() != theta.members()) throw new IllegalArgumentException("θ has " + theta.members() + " members, the state " + s.tables().members());
            info.checkMembers(theta.members());
            Workspace w = s.workspace();
            w.load(theta, theta.values());
            if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
            MlpLoptTables t = s.tables();
            FusedOps.Chunks c = t.chunks();
            NonFiniteGuard.onDevice(lopt.policy(), params, grads, c, 0, 0, w.gradStats());
            params.backend().fused().learned().mlpLopt(new LearnedOps.MlpLoptArgs(params.layout(), params.flat(), grads.flat(),
                    s.m0().flat(), s.m1().flat(), s.m2().flat(), s.m3().flat(), s.m4().flat(), s.m5().flat(), t.decays(), w.theta(0),
                    theta.stride(), t.widths(), java.util.Arrays.stream(theta.widths()).max().orElse(0), theta.widths().length - 1, t.perMember(), c.tensorOf(), c.startOf(), c.offsets(),
                    c.sizes(), c.chunk(), t.firstChunk(), lopt.expMult(), lopt.stepMult(), s.count().flat(), UpdateCounts.stride(s.count()),
                    w.gradStats(), NonFiniteGuard.skipOnDevice(lopt.policy()), w.skips()));
            return s.applied();
        }

        @Override public String name() { return "mlp_lopt"; }

        @Override public String describe() {
            return "mlp_lopt(hidden=" + java.util.Arrays.toString(lopt.hidden()) + ", exp_mult=" + lopt.expMult() + ", step_mult=" + lopt.stepMult() + ")";
        }
    }
}
