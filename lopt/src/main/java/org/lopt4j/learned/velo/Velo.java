package org.lopt4j.learned.velo;

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
import org.lopt4j.optim.NonFiniteGradientException;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.VeloArgs;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * VeLO = learned_optimization's {@code HyperV2(lstm_hidden_size, param_inits)} (velo.md): a per-tensor LSTM reads 30
 * tensor- and loss-level features and emits mixing coefficients for a bank of {@code paramInits} tiny MLPs
 * (30 → 4 → 4 → 3) and a per-tensor step multiplier. Needs the loss and the planned number of steps in every
 * {@link StepInfo}. VeLO proper is {@code new Velo(512, 256, ...)}. The ladder: {@link VeloRef} (the twin, which F64
 * slabs run) → {@link VeloSimd} → velo.cu / .cl, with {@link VeloNetwork} between the two per-element passes.
 */
public record Velo(int lstmHidden, int paramInits, NonFinitePolicy policy) implements LearnedOptimizer<Velo.State> {
    /** Widths of the 14 MLP feature groups, in group order (velo.md §8). */
    public static final int[] GROUPS = {1, 1, 1, 3, 1, 3, 1, 3, 1, 3, 3, 3, 3, 3};
    public static final int FEATURES = 30, HIDDEN = 4, OUTPUTS = 3;
    /** Floats of a member's loss buffer: the update counter, 10 EMAs, 10 running minima. */
    static final int LOSS_STATE = 1 + 2 * VeloLossBuffer.SIZE;

    public static Velo velo() { return new Velo(512, 256, NonFinitePolicy.SKIP_AND_COUNT); }

    @Override public String name() { return "velo"; }

    @Override public SlabLayout thetaLayout() {
        Map<String, Shape> m = new LinkedHashMap<>();
        int h = lstmHidden, b = paramInits;
        m.put("lstm_init_state/hidden", Shape.of(1, h));
        m.put("lstm_init_state/cell", Shape.of(1, h));
        for (String l : new String[] {"linear", "linear_1", "linear_2"}) {
            m.put("rnn_params/" + l + "/w", Shape.of(FEATURES, h));
            m.put("rnn_params/" + l + "/b", Shape.of(h));
        }
        m.put("rnn_params/rnn/linear/w", Shape.of(2 * h, 4 * h));
        m.put("rnn_params/rnn/linear/b", Shape.of(4 * h));
        m.put("rnn_params/rnn_to_controls/w", Shape.of(h, b));
        m.put("rnn_params/rnn_to_controls/b", Shape.of(b));
        m.put("rnn_params/step_size/w", Shape.of(h, 1));
        m.put("rnn_params/step_size/b", Shape.of(1));
        for (int k = 0; k < GROUPS.length; k++) m.put("ff_mod_stack/~/w0__" + k, Shape.of(b, GROUPS[k], HIDDEN));
        m.put("ff_mod_stack/~/b0", Shape.of(b, HIDDEN));
        m.put("ff_mod_stack/~/w1", Shape.of(b, HIDDEN, HIDDEN));
        m.put("ff_mod_stack/~/b1", Shape.of(b, HIDDEN));
        m.put("ff_mod_stack/~/w2", Shape.of(b, HIDDEN, OUTPUTS));
        m.put("ff_mod_stack/~/b2", Shape.of(b, OUTPUTS));
        return SlabLayout.sorted(m);
    }

    /** Haiku defaults: weights TruncatedNormal(1/sqrt(fan_in)) (fan_in 30 for every w0__k), biases and init state 0. */
    @Override public Slab initTheta(RandomKey key, Backend backend) {
        SlabLayout l = thetaLayout();
        Slab s = Slab.zeros(backend, DType.F32, l);
        for (int i = 0; i < l.count(); i++) {
            String n = l.names().get(i);
            if (!(n.endsWith("/w") || n.contains("/w0__") || n.endsWith("/w1") || n.endsWith("/w2"))) continue;
            Shape sh = l.shape(i);
            int fanIn = n.contains("/w0__") ? FEATURES : sh.dim(sh.rank() - 2);
            Tensor r = Tensor.random(backend, DType.F32, sh, key.child(i), Op.Dist.TRUNCATED_NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(1 / Math.sqrt(fanIn) / 0.87962566103423978)));
        }
        return s;
    }

    @Override public Class<State> stateType() { return State.class; }

    @Override public Optimizer<State> optimizer(Slab theta) { return optimizer(theta, UpdateOptions.NONE); }

    /** PyLO's {@code VeLO_naive} options: {@code lr} and {@code weight_decay} (VeLO clips gradients itself, to ±1000). */
    @Override public Optimizer<State> optimizer(Slab theta, UpdateOptions options) {
        if (options.maxGradNorm() > 0) throw new IllegalArgumentException("VeLO takes no max gradient norm (PyLO's VeLO_naive has none; VeLO clips gradients to ±1000)");
        if (options.fanInReference() > 0) throw new IllegalArgumentException("VeLO sets each tensor's step itself; fan-in scaling is small_fc_lopt's");
        return new Opt(this, theta, Packed.of(this, theta), options);
    }

    /** Member {@code m}'s θ (a view of a population θ). */
    Slab memberTheta(Slab theta, int m) {
        int one = thetaLayout().size();
        return new Slab(thetaLayout(), theta.flat().slice(0, m * one, (m + 1) * one, 1));
    }

    /** The θ tensors the tensor network reads, in {@link Packed#parts()} order (each stacked over members). */
    static final String[] NETWORK = {"rnn_params/linear_1/w", "rnn_params/linear_1/b", "rnn_params/linear_2/w", "rnn_params/linear_2/b",
            "rnn_params/rnn/linear/w", "rnn_params/rnn/linear/b", "lstm_init_state/hidden", "lstm_init_state/cell",
            "rnn_params/rnn_to_controls/w", "rnn_params/rnn_to_controls/b", "rnn_params/step_size/w", "rnn_params/step_size/b"};

    /**
     * What the fast path reads of a θ population, formed once per θ: the network tensors of {@link #NETWORK} stacked
     * over members, the bank matrix ([members × banks × 159], each row a bank entry's MLP as the apply pass reads it),
     * and VeLO's fixed decays per member.
     */
    record Packed(float[][] parts, int members) {
        static Packed of(Velo vl, Slab theta) {
            int members = vl.members(theta);
            SlabLayout tl = vl.thetaLayout();
            float[] th = theta.flat().toFloatArray();
            float[][] parts = new float[NETWORK.length + 2][];
            for (int i = 0; i < NETWORK.length; i++) {
                int at = tl.index(NETWORK[i]), n = tl.numel(at);
                parts[i] = new float[members * n];
                for (int m = 0; m < members; m++) System.arraycopy(th, m * tl.size() + tl.offset(at), parts[i], m * n, n);
            }
            int banks = vl.paramInits(), mixed = org.lopt4j.tensor.LearnedOps.VeloArgs.MIXED;
            float[] bm = new float[members * banks * mixed];
            for (int m = 0; m < members; m++) {
                float[] one = java.util.Arrays.copyOfRange(th, m * tl.size(), (m + 1) * tl.size());
                System.arraycopy(VeloNetwork.bankMatrix(one, tl, banks), 0, bm, m * banks * mixed, banks * mixed);
            }
            parts[NETWORK.length] = bm;
            float[] dec = new float[members * VeloRef.FIXED_DECAYS.length];
            for (int m = 0; m < members; m++) System.arraycopy(VeloRef.FIXED_DECAYS, 0, dec, m * VeloRef.FIXED_DECAYS.length, VeloRef.FIXED_DECAYS.length);
            parts[NETWORK.length + 1] = dec;
            return new Packed(parts, members);
        }

        int[] sizes() {
            int[] s = new int[parts.length];
            for (int i = 0; i < s.length; i++) s[i] = parts[i].length;
            return s;
        }
    }

    /**
     * VeLO's state: small_fc_lopt's accumulators, the per-tensor LSTM state and the loss buffer (per tensor like
     * everything else, so members can be reset and copied tensor-wise: 21 floats per tensor, [it, 10 means, 10 running
     * minima], every tensor of a member holding the member's buffer), the layout's tables, this state's workspace and
     * statistics buffer; counters.
     */
    public record State(Accumulators acc, Slab lstmH, Slab lstmC, Slab lossBuffer, Slab count, FactoredTables tables, Workspace workspace,
                        Tensor stats, int updates, int hostSkips) implements OptState<State> {
        @Override public int step() { return updates - workspace.skipped(); }
        @Override public int skipped() { return hostSkips + workspace.skipped(); }

        @Override public State applied() {
            return new State(acc, lstmH, lstmC, lossBuffer, count, tables, workspace, stats, updates + 1, hostSkips);
        }

        @Override public State skip() {
            return new State(acc, lstmH, lstmC, lossBuffer, count, tables, workspace, stats, updates, hostSkips + 1);
        }

        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> m = new LinkedHashMap<>();
            acc.putInto(m);
            m.put("lstm_h", lstmH);
            m.put("lstm_c", lstmC);
            m.put("loss_buffer", lossBuffer);
            m.put("count", count);
            return m;
        }

        @Override public State copy() {
            return new State(acc.copy(), lstmH.copy(), lstmC.copy(), lossBuffer.copy(), count.copy(), tables, workspace.fresh(),
                    Tensor.zeros(stats.backend(), stats.dtype(), stats.numel()), updates, hostSkips);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            int device = workspace.skipped();
            return new State(acc, lstmH, lstmC, lossBuffer, count, tables, workspace, stats, OptState.counter(c, "step") + device,
                    OptState.counter(c, "skipped") - device);
        }
    }

    /**
     * VeLO with fixed θ for {@code packed.members()} population members (parameter tensor t belongs to member t /
     * (tensors per member); {@link StepInfo#memberLosses} feeds each member's loss buffer). A member whose counter is 0
     * (fresh, or zeroed by a truncated unroll's reset) starts over at its next step: running minima and LSTM state
     * from θ. F32 slabs run {@link VeloNetwork}'s step, which clips the gradient slab to ±1000 in place (upstream's
     * first operation) instead of copying it; F64 slabs run the twin {@link VeloRef}. A non-finite loss of any member
     * applies the non-finite policy to the whole step.
     */
    record Opt(Velo velo, Slab theta, Packed packed, UpdateOptions options) implements Optimizer<State> {
        @Override public State init(Slab params) {
            int members = packed.members();
            FactoredTables tables = FactoredTables.of(params.layout(), params.backend(), members);
            int perMember = params.layout().count() / members;
            List<Shape> hs = new ArrayList<>();
            for (int i = 0; i < params.layout().count(); i++) hs.add(Shape.of(velo.lstmHidden()));
            SlabLayout hl = SlabLayout.of(params.layout().names(), hs);
            Slab h = Slab.zeros(params.backend(), DType.F32, hl), c = Slab.zeros(params.backend(), DType.F32, hl);
            for (int i = 0; i < hl.count(); i++) {
                Slab th = velo.memberTheta(theta, i / perMember);
                h.tensor(i).assign(th.tensor("lstm_init_state/hidden").reshape(velo.lstmHidden()).to(params.backend()));
                c.tensor(i).assign(th.tensor("lstm_init_state/cell").reshape(velo.lstmHidden()).to(params.backend()));
            }
            List<Shape> ls = new ArrayList<>();
            for (int i = 0; i < params.layout().count(); i++) ls.add(Shape.of(LOSS_STATE));
            Slab buf = Slab.zeros(params.backend(), DType.F32, SlabLayout.of(params.layout().names(), ls));
            for (int i = 0; i < params.layout().count(); i++) buf.tensor(i).slice(0, 1 + VeloLossBuffer.SIZE, LOSS_STATE, 1).fill(999999999999.0);
            int tensors = params.layout().count();
            Workspace w = new Workspace(params.backend(), params.dtype(), velo.policy() == NonFinitePolicy.SKIP_AND_COUNT, packed.sizes(),
                    VeloNetwork.scratch(tables, tensors));
            w.load(packed, packed.parts());
            Tensor stats = Tensor.zeros(params.backend(), params.backend().fused().learned().statsType(), tensors * VeloArgs.STATS);
            return new State(Accumulators.zeros(params), h, c, buf, UpdateCounts.zeros(params), tables, w, stats, 0, 0);
        }

        @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
            if (info.numSteps() < 10) throw new IllegalArgumentException("VeLO needs the planned number of steps (>= 10) in StepInfo");
            int members = packed.members();
            info.checkMembers(members);
            org.lopt4j.optim.NonFiniteGuard.checkPair(params, grads);
            s.tables().check(params);
            if (s.tables().members() != members) throw new IllegalArgumentException("θ has " + members + " members, the state " + s.tables().members());
            for (int m = 0; m < members; m++) {
                if (Double.isFinite(info.lossOf(m))) continue;
                if (velo.policy() == NonFinitePolicy.THROW) throw new NonFiniteGradientException("non-finite loss " + info.lossOf(m) + " of member " + m);
                return s.skip();
            }
            if (params.dtype() == DType.F64) {
                if (!org.lopt4j.optim.NonFiniteGuard.admit(velo.policy(), params, grads, s.tables().chunks())) return s.skip();
                VeloRef.applyPopulation(velo, options, theta, members, params, grads, s, info);
                if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
                UpdateCounts.advance(s.count().flat(), params.layout().count(), UpdateCounts.stride(s.count()));
                return s.applied();
            }
            VeloNetwork.step(velo, options, packed, s, params, grads, info);
            return s.applied();
        }

        @Override public String name() { return "velo"; }

        @Override public String describe() { return "velo(lstm=" + velo.lstmHidden() + ", inits=" + velo.paramInits() + options.describe() + ")"; }
    }
}
