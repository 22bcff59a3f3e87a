package org.lopt4j.learned.velo;

import java.util.List;
import org.lopt4j.learned.Workspace;
import org.lopt4j.optim.NonFiniteGuard;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.LearnedOps.VeloArgs;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * VeLO's step for F32 slabs on any backend (velo.md §3, in {@link VeloRef}'s order where it matters): the loss
 * buffers; one fused pass that clips the gradient to ±1000 in place and counts its non-finite values; the first
 * per-element pass ({@link LearnedOps#veloAccumulate}: the statistics of the LSTM features, then the accumulators);
 * the 30 features per tensor; the tensor network (max-pooled linear, LSTM, controls, step sizes, bank mixing) as
 * batched tensor ops on the slab's backend for all tensors of all members at once; the second per-element pass
 * ({@link LearnedOps#veloApply}).
 */
final class VeloNetwork {
    private VeloNetwork() {}

    /** One step; false when the non-finite policy skips it (nothing changed then but the gradient's clipping). */
    static boolean step(Velo vl, Velo.Packed th, Velo.State s, Slab params, Slab grads, StepInfo info) {
        SlabLayout layout = params.layout();
        Backend backend = params.backend();
        int members = th.members(), tensors = layout.count(), per = tensors / members, hidden = vl.lstmHidden(), banks = vl.paramInits();
        Workspace w = s.workspace();
        w.load(th, th.parts());
        // upstream clips the gradient to ±1000 before anything else: in place, in the pass that counts non-finite values
        FusedOps.Chunks chunks = s.tables().chunks();
        NonFiniteGuard.GradStats gs = NonFiniteGuard.stats(vl.policy(), params, grads, chunks, 0, 1000);
        if (!NonFiniteGuard.admit(vl.policy(), gs, grads)) return false;
        float[][] lf = new float[members][];
        Tensor initH = part(w, 6, members, hidden), initC = part(w, 7, members, hidden);
        for (int m = 0; m < members; m++) {
            VeloRef.LossStep ls = VeloRef.lossFeatures(s.lossBuffer(), m * per, per, info.lossOf(m), info.numSteps());
            lf[m] = ls.features();
            if (ls.fresh()) {                                                    // fresh or reset: LSTM state from θ
                Tensor hm = s.lstmH().flat().slice(0, m * per * hidden, (m + 1) * per * hidden, 1).reshape(per, hidden);
                Tensor cm = s.lstmC().flat().slice(0, m * per * hidden, (m + 1) * per * hidden, 1).reshape(per, hidden);
                hm.assign(initH.slice(0, m, m + 1, 1));
                cm.assign(initC.slice(0, m, m + 1, 1));
            }
        }
        LearnedOps ops = backend.fused().learned();
        LearnedOps.FactoredArgs state = s.tables().args(params, grads, s.acc(), w.theta(Velo.NETWORK.length + 1), w.scratch(0));
        ops.veloAccumulate(new VeloArgs(state, s.stats(), null, null));
        double[] flat = s.stats().toDoubleArray();
        float[] x = new float[tensors * Velo.FEATURES], paramScale = new float[tensors];
        for (int t = 0; t < tensors; t++) {
            int m = t / per;
            float frac = (float) info.stepOf(m, s.step()) / (float) info.numSteps();
            double[] st = java.util.Arrays.copyOfRange(flat, t * VeloArgs.STATS, (t + 1) * VeloArgs.STATS), xt = new double[Velo.FEATURES];
            VeloRef.lstmFeaturesFromSums(xt, layout.shape(t), layout.numel(t), st, frac, lf[m]);
            for (int q = 0; q < Velo.FEATURES; q++) x[t * Velo.FEATURES + q] = (float) xt[q];
            paramScale[t] = (float) (Math.sqrt(st[0] / Math.max(1, layout.numel(t)) + 1e-9) * 0.001);
        }
        // the tensor network for all tensors of all members at once: batched over members, max-pooled within each
        Tensor a1 = part(w, 0, members, Velo.FEATURES, hidden), b1 = part(w, 1, members, 1, hidden);
        Tensor a2 = part(w, 2, members, Velo.FEATURES, hidden), b2 = part(w, 3, members, 1, hidden);
        Tensor wl = part(w, 4, members, 2 * hidden, 4 * hidden), bl = part(w, 5, members, 1, 4 * hidden);
        Tensor wc = part(w, 8, members, hidden, banks), bc = part(w, 9, members, 1, banks);
        Tensor ws = part(w, 10, members, hidden, 1), bs = part(w, 11, members, 1, 1), bank = part(w, 12, members, banks, VeloArgs.MIXED);
        Tensor xs = Tensor.of(backend, x, members, per, Velo.FEATURES);
        Tensor u = Nn.relu(xs.matmul(a1).add(b1)).max(1).reshape(members, 1, hidden);
        Tensor y = xs.matmul(a2).add(b2).add(u);
        Tensor h = s.lstmH().flat().reshape(members, per, hidden), c = s.lstmC().flat().reshape(members, per, hidden);
        Tensor z = y.cat(2, List.of(h)).matmul(wl).add(bl);
        Tensor zi = z.slice(2, 0, hidden, 1), zg = z.slice(2, hidden, 2 * hidden, 1);
        Tensor zf = z.slice(2, 2 * hidden, 3 * hidden, 1), zo = z.slice(2, 3 * hidden, 4 * hidden, 1);
        Tensor cn = Nn.sigmoid(zf.add(zf.scalar(1))).mul(c).add(Nn.sigmoid(zi).mul(zg.tanh()));
        Tensor hn = Nn.sigmoid(zo).mul(cn.tanh());
        c.assign(cn);
        h.assign(hn);
        Tensor ctrl = hn.matmul(wc).add(bc);
        Tensor lrm = hn.matmul(ws).add(bs).reshape(tensors);
        Tensor mixed = ctrl.matmul(bank).mul(ctrl.scalar(100.0 / banks)).reshape(tensors * VeloArgs.MIXED).contiguous();
        Tensor step = lrm.mul(Tensor.of(backend, paramScale, tensors)).contiguous();
        ops.veloApply(new VeloArgs(state, s.stats(), whole(mixed), whole(step)));
        return true;
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
