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
 * VeLO = learned_optimization's {@code HyperV2(lstm_hidden_size, param_inits)} (velo.md): a per-tensor LSTM reads 30
 * tensor- and loss-level features and emits mixing coefficients for a bank of {@code paramInits} tiny MLPs
 * (30 → 4 → 4 → 3) and a per-tensor step multiplier. Needs the loss and the planned number of steps in every
 * {@link StepInfo}. VeLO proper is {@code new Velo(512, 256, ...)}.
 */
public record Velo(int lstmHidden, int paramInits, NonFinitePolicy policy) implements LearnedOptimizer {
    /** Widths of the 14 MLP feature groups, in group order (velo.md §8). */
    static final int[] GROUPS = {1, 1, 1, 3, 1, 3, 1, 3, 1, 3, 3, 3, 3, 3};
    static final int FEATURES = 30, HIDDEN = 4, OUTPUTS = 3;
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

    @Override public Optimizer<NamedState> optimizer(Slab theta) {
        int one = thetaLayout().size(), members = theta.layout().size() / one;
        if (members < 1 || members * one != theta.layout().size()) {
            throw new IllegalArgumentException("θ does not have the " + name() + " layout (or P copies of it for a population)");
        }
        return new Opt(this, theta, members, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /** Member {@code m}'s θ (a view of a population θ). */
    Slab memberTheta(Slab theta, int m) {
        int one = thetaLayout().size();
        return new Slab(thetaLayout(), theta.flat().slice(0, m * one, (m + 1) * one, 1));
    }

    /**
     * VeLO with fixed θ for {@code members} population members (parameter tensor t belongs to member t / (tensors per
     * member), as for the other learned optimizers; {@link StepInfo#memberLosses} feeds each member's loss buffer).
     * State: small_fc_lopt's accumulators, per-tensor LSTM state, and the loss buffer, per tensor like everything else
     * so members can be reset and copied tensor-wise: 21 floats per tensor ([it, 10 means, 10 running minima]), the
     * member's first tensor being its buffer (the others hold copies). A member whose counter is 0 (fresh, or zeroed
     * by a truncated unroll's reset) starts over at its next step: running minima and LSTM state from θ. F32 slabs run {@link VeloFused} (built at the first step on a
     * layout, on the CPU or a device), which clips the gradient slab to ±1000 in place (upstream's first operation)
     * instead of copying it; F64 slabs run the twin {@link VeloStep}. A non-finite loss of any member applies the
     * non-finite policy to the whole step.
     */
    record Opt(Velo velo, Slab theta, int members, java.util.concurrent.atomic.AtomicReference<VeloFused> device)
            implements Optimizer<NamedState> {
        @Override public NamedState init(Slab params) {
            Map<String, Slab> s = new LinkedHashMap<>();
            for (int k = 0; k < 3; k++) s.put("m" + k, params.zerosLike());
            s.put("v", params.zerosLike());
            for (int k = 0; k < 3; k++) {
                s.put("r" + k, Slab.zeros(params.backend(), params.dtype(), SmallFcLopt.rowLayout(params.layout())));
                s.put("c" + k, Slab.zeros(params.backend(), params.dtype(), SmallFcLopt.colLayout(params.layout())));
            }
            List<Shape> hs = new ArrayList<>();
            for (int i = 0; i < params.layout().count(); i++) hs.add(Shape.of(velo.lstmHidden()));
            SlabLayout hl = SlabLayout.of(params.layout().names(), hs);
            Slab h = Slab.zeros(params.backend(), DType.F32, hl), c = Slab.zeros(params.backend(), DType.F32, hl);
            int perMember = perMember(params);
            for (int i = 0; i < hl.count(); i++) {
                Slab th = velo.memberTheta(theta, i / perMember);
                h.tensor(i).assign(th.tensor("lstm_init_state/hidden").reshape(velo.lstmHidden()).to(params.backend()));
                c.tensor(i).assign(th.tensor("lstm_init_state/cell").reshape(velo.lstmHidden()).to(params.backend()));
            }
            s.put("lstm_h", h);
            s.put("lstm_c", c);
            List<Shape> ls = new ArrayList<>();
            for (int i = 0; i < params.layout().count(); i++) ls.add(Shape.of(LOSS_STATE));
            Slab buf = Slab.zeros(params.backend(), DType.F32, SlabLayout.of(params.layout().names(), ls));
            for (int i = 0; i < params.layout().count(); i++) buf.tensor(i).slice(0, 1 + VeloLossBuffer.SIZE, LOSS_STATE, 1).fill(999999999999.0);
            s.put("loss_buffer", buf);
            return new NamedState(0, 0, s);
        }

        @Override public NamedState update(NamedState state, Slab params, Slab grads, StepInfo info) {
            if (info.numSteps() < 10) throw new IllegalArgumentException("VeLO needs the planned number of steps (>= 10) in StepInfo");
            info.checkMembers(members);
            perMember(params);
            for (int m = 0; m < members; m++) {
                if (Double.isFinite(info.lossOf(m))) continue;
                if (velo.policy() == NonFinitePolicy.THROW) throw new org.lopt4j.optim.NonFiniteGradientException("non-finite loss " + info.lossOf(m) + " of member " + m);
                return state.skip();
            }
            NonFiniteGuard.checkPair(params, grads);
            if (!NonFiniteGuard.admit(velo.policy(), grads)) return state.skip();
            if (params.dtype() != org.lopt4j.tensor.DType.F32) {
                VeloStep.applyPopulation(velo, theta, members, params, grads, state, info);
            } else {
                VeloFused plan = device.get();
                if (plan == null || !plan.fits(params)) device.set(plan = new VeloFused(velo, theta, members, params));
                plan.step(velo, params, grads, state, info);
            }
            return state.applied();
        }

        /** Tensors per member; the slab must hold the same number for each. */
        int perMember(Slab params) {
            int count = params.layout().count();
            if (count % members != 0) throw new IllegalArgumentException(count + " tensors do not split into " + members + " VeLO members");
            return count / members;
        }

        @Override public String name() { return "velo"; }

        @Override public String describe() { return "velo(lstm=" + velo.lstmHidden() + ", inits=" + velo.paramInits() + ")"; }
    }
}
