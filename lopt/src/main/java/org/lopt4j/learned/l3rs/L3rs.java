package org.lopt4j.learned.l3rs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.Workspace;
import org.lopt4j.optim.NonFiniteGradientException;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * L3RS, the layer-wise learned combination of base optimizers of "Narrowing the Focus" (Kristiansen et al. 2024;
 * narrowing_l3rs.md §2): per layer (parameter tensor) a small MLP, shared by the layers, reads EMAs of the layer's
 * weight norm, gradient norm and the loss, the training progress and a learned layer embedding, and outputs a step
 * {@code λ_l = exp(z + ln λ0)} (times ‖θ_l‖ when {@code scaleByNorm}) and softmax weights μ over four base directions
 * (SGD, heavy ball 0.9, Adam, sign of the heavy ball), each normalized per layer:
 * {@code θ_l ← θ_l − λ_l·Σ_q μ_q·d_q/(‖d_q‖ + 1e-12)}. It is specialized to one model: θ holds one embedding per
 * parameter tensor, {@code layers} of them. The ladder: {@link L3rsRef} (the twin) → {@link L3rsSimd} → l3rs.cu / .cl.
 */
public record L3rs(int layers, int hidden, double lambda0, boolean scaleByNorm, NonFinitePolicy policy) implements LearnedOptimizer<L3rs.State> {
    /** Heavy-ball momentum, Adam's β1, β2 and ε, the norm floor of the directions and the log floor of the features. */
    public static final double MOMENTUM = 0.9, BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8, NORM_EPS = 1e-12, LOG_FLOOR = 1e-8;
    /** The decays of the feature EMAs. */
    static final double[] EMA_DECAYS = {0.9, 0.99, 0.999};

    public L3rs {
        if (layers < 1 || hidden < 1 || hidden > L3rsArgs.MAX_WIDTH || !(lambda0 > 0)) {
            throw new IllegalArgumentException("L3RS needs layers ≥ 1, 1 ≤ hidden ≤ " + L3rsArgs.MAX_WIDTH + " and λ0 > 0");
        }
    }

    /** narrowing_l3rs.md §3's choice for a model of {@code layers} parameter tensors: MLP 2 × 16, λ0 = 1e-3. */
    public static L3rs of(int layers) { return new L3rs(layers, 16, 1e-3, false, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public String name() { return "l3rs"; }

    @Override public Class<State> stateType() { return State.class; }

    /** Layer widths of the MLP, input to output. */
    public int[] widths() { return new int[] {L3rsArgs.FEATURES, hidden, hidden, L3rsArgs.OUTPUTS}; }

    @Override public SlabLayout thetaLayout() {
        Map<String, Shape> m = new LinkedHashMap<>();
        int[] w = widths();
        for (int l = 0; l + 1 < w.length; l++) {
            m.put("mlp/~/linear_" + l + "/w", Shape.of(w[l], w[l + 1]));
            m.put("mlp/~/linear_" + l + "/b", Shape.of(w[l + 1]));
        }
        m.put("embedding", Shape.of(layers, L3rsArgs.EMBED));
        return SlabLayout.sorted(m);
    }

    /**
     * Hidden layers w ~ TruncatedNormal(stddev 1/sqrt(fan_in)), biases 0, embeddings ~ TruncatedNormal; the output
     * layer 0, so a fresh θ steps by λ0 with equal weights on the four directions.
     */
    @Override public Slab initTheta(RandomKey key, Backend backend) {
        SlabLayout l = thetaLayout();
        Slab s = Slab.zeros(backend, DType.F32, l);
        String last = "mlp/~/linear_" + (widths().length - 2) + "/w";
        for (int i = 0; i < l.count(); i++) {
            String name = l.names().get(i);
            boolean weight = name.endsWith("/w") && !name.equals(last);
            if (!weight && !name.equals("embedding")) continue;
            Tensor r = Tensor.random(backend, DType.F32, l.shape(i), key.child(i), Op.Dist.TRUNCATED_NORMAL);
            s.tensor(i).assign(weight ? r.mul(r.scalar(1 / Math.sqrt(l.shape(i).dim(0)))) : r);
        }
        return s;
    }

    /** What the kernels read of a θ population: per member its packed MLP, then its embeddings, {@code stride} apart. */
    record Packed(float[] values, int stride, int members) {
        static Packed of(L3rs lo, Slab theta) {
            int members = lo.members(theta);
            SlabLayout one = lo.thetaLayout();
            int[] w = lo.widths();
            String[] wn = new String[w.length - 1], bn = new String[w.length - 1];
            for (int l = 0; l + 1 < w.length; l++) { wn[l] = "mlp/~/linear_" + l + "/w"; bn[l] = "mlp/~/linear_" + l + "/b"; }
            float[] flat = theta.flat().toFloatArray();
            PackedMlp mlp = PackedMlp.of(flat, one, members, wn, bn, w);
            int emb = lo.layers() * L3rsArgs.EMBED, stride = mlp.stride() + emb, e = one.offset(one.index("embedding"));
            float[] out = new float[members * stride];
            for (int m = 0; m < members; m++) {
                System.arraycopy(mlp.values(), m * mlp.stride(), out, m * stride, mlp.stride());
                System.arraycopy(flat, m * one.size() + e, out, m * stride + mlp.stride(), emb);
            }
            return new Packed(out, stride, members);
        }
    }

    @Override public Optimizer<State> optimizer(Slab theta) { return new Opt(this, Packed.of(this, theta)); }

    /**
     * L3RS's state: the base optimizers' buffers (heavy ball {@code b}, Adam {@code m}, {@code v}, laid out like the
     * parameters), the per-tensor EMAs ({@link L3rsArgs#EMA} floats each), the members' update counts
     * ({@link UpdateCounts}), the layout's tables and this state's workspace; counters as in small_fc_lopt's state.
     */
    public record State(Slab b, Slab m, Slab v, Slab ema, Slab count, L3rsTables tables, Workspace workspace, int updates, int hostSkips)
            implements OptState<State> {
        @Override public int step() { return updates - workspace.skipped(); }
        @Override public int skipped() { return hostSkips + workspace.skipped(); }
        @Override public State applied() { return new State(b, m, v, ema, count, tables, workspace, updates + 1, hostSkips); }
        @Override public State skip() { return new State(b, m, v, ema, count, tables, workspace, updates, hostSkips + 1); }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> out = new LinkedHashMap<>();
            out.put("b", b);
            out.put("m", m);
            out.put("v", v);
            out.put("ema", ema);
            out.put("count", count);
            return out;
        }

        /**
         * What the last step applied to each tensor (in layout order): {@code [λ, μ_0..μ_3]} (SGD, heavy ball, Adam,
         * sign). A read from the device where the state lives on one; zeros before the first step.
         */
        public double[][] schedule() {
            float[] out = workspace.scratch(LAYER_OUT).toFloatArray();
            double[][] s = new double[out.length / L3rsArgs.LAYER_OUT][1 + L3rsArgs.DIRECTIONS];
            for (int t = 0; t < s.length; t++) for (int j = 0; j < s[t].length; j++) s[t][j] = out[t * L3rsArgs.LAYER_OUT + j];
            return s;
        }

        @Override public State copy() {
            return new State(b.copy(), m.copy(), v.copy(), ema.copy(), count.copy(), tables, workspace.fresh(), updates, hostSkips);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            int device = workspace.skipped();
            return new State(b, m, v, ema, count, tables, workspace, OptState.counter(c, "step") + device, OptState.counter(c, "skipped") - device);
        }
    }

    /** Scratch buffers of the workspace: per-chunk sums, per-tensor layer outputs, the members' losses. */
    static final int PARTIALS = 0, LAYER_OUT = 1, LOSSES = 2;

    /** L3RS with fixed θ as an ordinary optimizer: one call of the backend's learned passes per step. */
    record Opt(L3rs lopt, Packed theta) implements Optimizer<State> {
        @Override public State init(Slab params) {
            L3rsTables t = L3rsTables.of(params.layout(), params.backend(), theta.members(), lopt.widths());
            if (t.perMember() != lopt.layers()) {
                throw new IllegalArgumentException("this L3RS was made for models of " + lopt.layers() + " parameter tensors; the model has " + t.perMember());
            }
            Workspace w = new Workspace(params.backend(), params.dtype(), lopt.policy() == NonFinitePolicy.SKIP_AND_COUNT,
                    new int[] {theta.values().length}, t.chunkCount() * L3rsArgs.SUMS, params.layout().count() * L3rsArgs.LAYER_OUT, theta.members());
            w.load(theta, theta.values());
            SlabLayout pl = params.layout();
            java.util.List<Shape> shapes = java.util.Collections.nCopies(pl.count(), Shape.of(L3rsArgs.EMA));
            Slab ema = Slab.zeros(params.backend(), DType.F32, SlabLayout.of(pl.names(), shapes));
            return new State(params.zerosLike(), params.zerosLike(), params.zerosLike(), ema, UpdateCounts.zeros(params), t, w, 0, 0);
        }

        @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
            NonFiniteGuard.checkPair(params, grads);
            L3rsTables t = s.tables();
            t.check(params);
            if (t.members() != theta.members()) throw new IllegalArgumentException("θ has " + theta.members() + " members, the state " + t.members());
            info.checkMembers(theta.members());
            if (info.numSteps() < 1) throw new IllegalArgumentException("L3RS needs the planned number of steps in StepInfo (its time features)");
            float[] losses = new float[theta.members()];
            for (int q = 0; q < losses.length; q++) {
                double l = info.lossOf(q);
                if (!Double.isFinite(l)) {
                    if (lopt.policy() == NonFinitePolicy.THROW) throw new NonFiniteGradientException("non-finite loss " + l + " of member " + q);
                    if (lopt.policy() == NonFinitePolicy.SKIP_AND_COUNT) return s.skip();
                    l = 0;
                }
                losses[q] = (float) l;
            }
            Workspace w = s.workspace();
            w.load(theta, theta.values());
            w.scratch(LOSSES).storage().write(0, losses);
            if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
            FusedOps.Chunks c = t.chunks();
            NonFiniteGuard.onDevice(lopt.policy(), params, grads, c, 0, 0, w.gradStats());
            params.backend().fused().learned().l3rs(new L3rsArgs(params.layout(), params.flat(), grads.flat(), s.b().flat(), s.m().flat(),
                    s.v().flat(), s.ema().flat(), UpdateCounts.stride(s.ema()), w.scratch(LOSSES), w.theta(0), theta.stride(), t.widths(),
                    Math.max(L3rsArgs.FEATURES, lopt.hidden()), t.perMember(), c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), t.firstChunk(),
                    w.scratch(PARTIALS), w.scratch(LAYER_OUT), info.numSteps(), lopt.lambda0(), lopt.scaleByNorm() ? 1 : 0, s.count().flat(),
                    UpdateCounts.stride(s.count()), w.gradStats(), NonFiniteGuard.skipOnDevice(lopt.policy()), w.skips()));
            return s.applied();
        }

        @Override public String name() { return "l3rs"; }

        @Override public String describe() {
            return "l3rs(layers=" + lopt.layers() + ", hidden=" + lopt.hidden() + "x2, lambda0=" + lopt.lambda0() + (lopt.scaleByNorm() ? ", relative" : "") + ")";
        }
    }
}
