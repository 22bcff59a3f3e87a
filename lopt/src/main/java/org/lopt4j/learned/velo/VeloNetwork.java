package org.lopt4j.learned.velo;

import java.util.List;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.Workspace;
import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.LearnedOps.VeloArgs;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * VeLO's step for F32 slabs on any backend (velo.md §3, in {@link VeloRef}'s order where it matters), with nothing read
 * back to the host: one fused pass clips the gradient to ±1000 in place and counts its non-finite values; the loss
 * buffers take the members' losses ({@link LearnedOps#veloLossFeatures}, the one write of the step); the first
 * per-element pass ({@link LearnedOps#veloAccumulate}: the statistics of the LSTM features, then the accumulators); the
 * 30 LSTM inputs per tensor ({@link LearnedOps#veloLstmFeatures}); the tensor network (max-pooled linear, LSTM,
 * controls, step sizes, bank mixing) as batched tensor ops on the slab's backend for all tensors of all members at
 * once, a fresh member's LSTM state from θ and a skipped step's kept by selects; the second per-element pass
 * ({@link LearnedOps#veloApply}).
 */
final class VeloNetwork {
    /** Scratch of the workspace, in order: row means, member losses, loss features, fresh flags, LSTM inputs, scales. */
    static final int ROW_MEAN = 0, LOSSES = 1, LOSS_FEATURES = 2, FRESH = 3, LSTM_INPUTS = 4, PARAM_SCALE = 5;

    private VeloNetwork() {}

    /** The scratch sizes of {@link #ROW_MEAN} .. {@link #PARAM_SCALE}. */
    static int[] scratch(FactoredTables tables, int tensors) {
        return new int[] {3 * tables.meanTotal(), tables.members(), tensors * VeloArgs.LOSS_FEATURES, tensors,
                tensors * VeloArgs.LSTM_INPUTS, tensors};
    }

    /** One step (a step the policy skips for non-finite gradients changes nothing but the clipping and the skip count). */
    static void step(Velo vl, org.lopt4j.learned.UpdateOptions o, Velo.Packed th, Velo.State s, Slab params, Slab grads, StepInfo info) {
        SlabLayout layout = params.layout();
        Backend backend = params.backend();
        int members = th.members(), tensors = layout.count(), per = tensors / members, hidden = vl.lstmHidden(), banks = vl.paramInits();
        Workspace w = s.workspace();
        w.load(th, th.parts());
        if (info.memberSteps() != null) UpdateCounts.set(s.count(), info.memberSteps());
        NonFiniteGuard.onDevice(vl.policy(), params, grads, s.tables().chunks(), 0, 1000, w.gradStats());
        float[] losses = new float[members];
        for (int m = 0; m < members; m++) losses[m] = (float) info.lossOf(m);
        w.scratch(LOSSES).storage().write(0, losses);
        int skip = NonFiniteGuard.skipOnDevice(vl.policy());
        LearnedOps ops = backend.fused().learned();
        VeloArgs args = new VeloArgs(s.tables().args(params, grads, s.acc(), w.theta(Velo.NETWORK.length + 1), w.scratch(ROW_MEAN), s.count(), w, skip),
                s.lossBuffer().flat(), UpdateCounts.stride(s.lossBuffer()), w.scratch(LOSSES), w.scratch(LOSS_FEATURES), w.scratch(FRESH),
                s.stats(), w.scratch(LSTM_INPUTS), w.scratch(PARAM_SCALE), info.numSteps(), null, null, o.lr(), o.paramDecay());
        ops.veloLossFeatures(args);
        ops.veloAccumulate(args);
        ops.veloLstmFeatures(args);
        // the tensor network for all tensors of all members at once: batched over members, max-pooled within each
        Tensor a1 = part(w, 0, members, Velo.FEATURES, hidden), b1 = part(w, 1, members, 1, hidden);
        Tensor a2 = part(w, 2, members, Velo.FEATURES, hidden), b2 = part(w, 3, members, 1, hidden);
        Tensor wl = part(w, 4, members, 2 * hidden, 4 * hidden), bl = part(w, 5, members, 1, 4 * hidden);
        Tensor initH = part(w, 6, members, 1, hidden), initC = part(w, 7, members, 1, hidden);
        Tensor wc = part(w, 8, members, hidden, banks), bc = part(w, 9, members, 1, banks);
        Tensor ws = part(w, 10, members, hidden, 1), bs = part(w, 11, members, 1, 1), bank = part(w, 12, members, banks, VeloArgs.MIXED);
        Tensor xs = w.scratch(LSTM_INPUTS).slice(0, 0, tensors * Velo.FEATURES, 1).reshape(members, per, Velo.FEATURES);
        Tensor fresh = w.scratch(FRESH).slice(0, 0, tensors, 1).reshape(members, per, 1);
        Tensor u = Nn.relu(xs.matmul(a1).add(b1)).max(1).reshape(members, 1, hidden);
        Tensor y = xs.matmul(a2).add(b2).add(u);
        Tensor h = s.lstmH().flat().reshape(members, per, hidden), c = s.lstmC().flat().reshape(members, per, hidden);
        Tensor h0 = fresh.where(initH, h), c0 = fresh.where(initC, c);               // fresh or reset: LSTM state from θ
        Tensor z = y.cat(2, List.of(h0)).matmul(wl).add(bl);
        Tensor zi = z.slice(2, 0, hidden, 1), zg = z.slice(2, hidden, 2 * hidden, 1);
        Tensor zf = z.slice(2, 2 * hidden, 3 * hidden, 1), zo = z.slice(2, 3 * hidden, 4 * hidden, 1);
        Tensor cn = Nn.sigmoid(zf.add(zf.scalar(1))).mul(c0).add(Nn.sigmoid(zi).mul(zg.tanh()));
        Tensor hn = Nn.sigmoid(zo).mul(cn.tanh());
        if (skip != 0) {                                                              // a skipped step keeps the LSTM state
            Tensor skipped = w.gradStats().slice(0, 1, 2, 1).to(DType.F32).abs().reshape(1, 1, 1);
            cn = skipped.where(c, cn);
            hn = skipped.where(h, hn);
        }
        c.assign(cn);
        h.assign(hn);
        Tensor ctrl = hn.matmul(wc).add(bc);
        Tensor lrm = hn.matmul(ws).add(bs).reshape(tensors);
        Tensor mixed = ctrl.matmul(bank).mul(ctrl.scalar(100.0 / banks)).reshape(tensors * VeloArgs.MIXED).contiguous();
        Tensor step = lrm.mul(w.scratch(PARAM_SCALE).slice(0, 0, tensors, 1)).contiguous();
        ops.veloApply(args.withMlp(whole(mixed), whole(step)));
    }

    /** θ part {@code i} of the workspace as a [members, dims...] view. */
    private static Tensor part(Workspace w, int i, int members, int... dims) {
        int[] shape = new int[dims.length + 1];
        shape[0] = members;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        int n = members;
        for (int d : dims) n *= d;
        return w.theta(i).slice(0, 0, n, 1).reshape(shape);
    }

    /** A fresh whole buffer holding {@code t} (the kernels take buffers at offset 0). */
    private static Tensor whole(Tensor t) {
        if (t.offset() == 0 && t.storage().length() == t.numel()) return t;
        return Tensor.zeros(t.backend(), DType.F32, t.shape()).assign(t);
    }

    /** [banks × 159]: row k is bank entry k's MLP packed as the apply pass reads it (w0 rows in group order). */
    static float[] bankMatrix(float[] th, SlabLayout tl, int banks) {
        float[] out = new float[banks * VeloArgs.MIXED];
        for (int k = 0; k < banks; k++) {
            int at = k * VeloArgs.MIXED;
            for (int grp = 0; grp < Velo.GROUPS.length; grp++) at = copy(th, tl, "ff_mod_stack/~/w0__" + grp, k, banks, out, at);
            for (String n : new String[] {"b0", "w1", "b1", "w2", "b2"}) at = copy(th, tl, "ff_mod_stack/~/" + n, k, banks, out, at);
        }
        return out;
    }

    private static int copy(float[] th, SlabLayout tl, String name, int k, int banks, float[] out, int at) {
        int i = tl.index(name), per = tl.numel(i) / banks;
        System.arraycopy(th, tl.offset(i) + k * per, out, at, per);
        return at + per;
    }
}
