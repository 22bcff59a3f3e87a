package org.lopt4j.learned;

import java.util.List;
import org.lopt4j.optim.NamedState;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * VeLO's fast path on any backend (velo.md §3, in {@link VeloStep}'s order where it matters): one pass sums the
 * statistics of the LSTM features per tensor ({@link FusedOps#veloStats} on a device; on the CPU the accumulator pass
 * {@link VeloSimd#accumulate} sums them from the values it replaces); the host forms the 30 features per tensor; the
 * tensor network (max-pooled linear, LSTM, controls, step sizes, bank mixing) runs as batched tensor ops on the slab's
 * backend for all tensors at once; then (on a device, after updating the accumulators) each tensor's mixed MLP is
 * applied to every element ({@link FusedOps#veloApply}, or {@link VeloSimd#apply}). θ's network
 * weights and the bank matrix are uploaded once per (θ, layout, backend).
 */
final class VeloFused {
    private final SlabLayout layout;
    private final Backend backend;
    private final SmallFcLoptDevice tables;
    private final Tensor a1, b1, a2, b2, wl, bl, wc, bc, ws, bs, bank, stats, dummyTime, clipStats, initH, initC;
    private final FusedOps.Chunks chunks;
    private final int hidden, banks, members;
    private final boolean cpu;

    /** The plan for slabs shaped like {@code params} (on their backend), for {@code members} members' θ. */
    VeloFused(Velo vl, Slab theta, int members, Slab params) {
        this.layout = params.layout();
        this.backend = params.backend();
        this.cpu = params.flat().storage() instanceof org.lopt4j.tensor.cpu.CpuStorage;
        this.hidden = vl.lstmHidden();
        this.banks = vl.paramInits();
        this.members = members;
        this.tables = cpu ? null : new SmallFcLoptDevice(null, java.util.Collections.nCopies(members, VeloStep.FIXED_DECAYS), layout,
                backend);
        SlabLayout tl = vl.thetaLayout();
        float[] th = theta.flat().toFloatArray();
        int h = hidden;
        this.a1 = upload(th, tl, "rnn_params/linear_1/w", Velo.FEATURES, h);
        this.b1 = upload(th, tl, "rnn_params/linear_1/b", 1, h);
        this.a2 = upload(th, tl, "rnn_params/linear_2/w", Velo.FEATURES, h);
        this.b2 = upload(th, tl, "rnn_params/linear_2/b", 1, h);
        this.wl = upload(th, tl, "rnn_params/rnn/linear/w", 2 * h, 4 * h);
        this.initH = upload(th, tl, "lstm_init_state/hidden", 1, h).reshape(members, h);
        this.initC = upload(th, tl, "lstm_init_state/cell", 1, h).reshape(members, h);
        this.bl = upload(th, tl, "rnn_params/rnn/linear/b", 1, 4 * h);
        this.wc = upload(th, tl, "rnn_params/rnn_to_controls/w", h, banks);
        this.bc = upload(th, tl, "rnn_params/rnn_to_controls/b", 1, banks);
        this.ws = upload(th, tl, "rnn_params/step_size/w", h, 1);
        this.bs = upload(th, tl, "rnn_params/step_size/b", 1, 1);
        float[] bm = new float[members * banks * MIXED];
        for (int m = 0; m < members; m++) {
            float[] one = java.util.Arrays.copyOfRange(th, m * tl.size(), (m + 1) * tl.size());
            System.arraycopy(bankMatrix(one, tl, banks), 0, bm, m * banks * MIXED, banks * MIXED);
        }
        this.bank = Tensor.of(backend, bm, members, banks, MIXED);
        this.stats = Tensor.zeros(backend, DType.F32, layout.count() * STATS);
        this.chunks = FusedOps.Chunks.of(layout, backend);
        this.clipStats = Tensor.zeros(backend, DType.F32, 2);
        this.dummyTime = Tensor.zeros(backend, DType.F32, 1);
    }

    /** Floats of one mixed MLP (w0 30×4, b0, w1 4×4, b1, w2 4×3, b2), and statistics per tensor. */
    static final int MIXED = 159, STATS = 9;

    /** Whether this plan was built for {@code params}' layout and backend. */
    boolean fits(Slab params) { return params.layout().equals(layout) && params.backend() == backend; }

    void step(Velo vl, Slab params, Slab grads, NamedState s, StepInfo info) {
        int tensors = layout.count(), per = tensors / members;
        float[][] lf = new float[members][];
        for (int m = 0; m < members; m++) {
            VeloStep.LossStep ls = VeloStep.lossFeatures(s.slab("loss_buffer"), m * per, per, info.lossOf(m), info.numSteps());
            lf[m] = ls.features();
            if (ls.fresh()) {                                                    // fresh or reset: LSTM state from θ
                Tensor hm = s.slab("lstm_h").flat().slice(0, m * per * hidden, (m + 1) * per * hidden, 1).reshape(per, hidden);
                Tensor cm = s.slab("lstm_c").flat().slice(0, m * per * hidden, (m + 1) * per * hidden, 1).reshape(per, hidden);
                hm.assign(initH.slice(0, m, m + 1, 1));
                cm.assign(initC.slice(0, m, m + 1, 1));
            }
        }
        // upstream clips the gradient to ±1000 before anything else: in place, in one fused pass (no copy of the slab)
        backend.fused().gradStats(new FusedOps.GradStatsArgs(params.flat(), grads.flat(), clipStats, chunks.tensorOf(), chunks.startOf(),
                chunks.offsets(), chunks.sizes(), chunks.chunk(), 0, 1000, 0));
        Slab clipped = grads;
        FusedOps.SmallFcLoptArgs args = cpu ? null : tables.args(null, params, clipped, s, dummyTime);
        double[][] sums;
        SmallFcLoptKernel.TensorAux[] aux = null;
        if (cpu) {
            sums = new double[tensors][STATS];
            aux = VeloSimd.accumulate(params, clipped, s, sums);      // the statistics come from the values it replaces
        } else {
            backend.fused().veloStats(new FusedOps.VeloArgs(args, stats, dummyTime, dummyTime));
            float[] flat = stats.toFloatArray();
            sums = new double[tensors][STATS];
            for (int t = 0; t < tensors; t++) for (int q = 0; q < STATS; q++) sums[t][q] = flat[t * STATS + q];
        }
        float[] x = new float[tensors * Velo.FEATURES];
        float[] paramScale = new float[tensors];
        for (int t = 0; t < tensors; t++) {
            int m = t / per;
            float frac = (float) info.stepOf(m, s.step()) / (float) info.numSteps();
            double[] st = sums[t], xt = new double[Velo.FEATURES];
            VeloStep.lstmFeaturesFromSums(xt, layout.shape(t), layout.numel(t), st, frac, lf[m]);
            for (int q = 0; q < Velo.FEATURES; q++) x[t * Velo.FEATURES + q] = (float) xt[q];
            paramScale[t] = (float) (Math.sqrt(st[0] / Math.max(1, layout.numel(t)) + 1e-9) * 0.001);
        }
        // the tensor network for all tensors of all members at once: batched over members, max-pooled within each
        Tensor xs = Tensor.of(backend, x, members, per, Velo.FEATURES);
        Tensor u = Nn.relu(xs.matmul(a1).add(b1)).max(1).reshape(members, 1, hidden);
        Tensor y = xs.matmul(a2).add(b2).add(u);
        Tensor h = s.slab("lstm_h").flat().reshape(members, per, hidden), c = s.slab("lstm_c").flat().reshape(members, per, hidden);
        Tensor z = y.cat(2, List.of(h)).matmul(wl).add(bl);
        Tensor zi = z.slice(2, 0, hidden, 1), zg = z.slice(2, hidden, 2 * hidden, 1);
        Tensor zf = z.slice(2, 2 * hidden, 3 * hidden, 1), zo = z.slice(2, 3 * hidden, 4 * hidden, 1);
        Tensor cn = Nn.sigmoid(zf.add(zf.scalar(1))).mul(c).add(Nn.sigmoid(zi).mul(zg.tanh()));
        Tensor hn = Nn.sigmoid(zo).mul(cn.tanh());
        c.assign(cn);
        h.assign(hn);
        Tensor ctrl = hn.matmul(wc).add(bc);
        Tensor lrm = hn.matmul(ws).add(bs).reshape(tensors);
        Tensor mixed = ctrl.matmul(bank).mul(ctrl.scalar(100.0 / banks)).reshape(tensors * MIXED).contiguous();
        Tensor step = lrm.mul(Tensor.of(backend, paramScale, tensors)).contiguous();
        if (cpu) VeloSimd.apply(params, clipped, s, aux, mixed.toFloatArray(), step.toFloatArray());
        else backend.fused().veloApply(new FusedOps.VeloArgs(args, stats, whole(mixed), whole(step)));
    }

    /** A fresh whole buffer holding {@code t} (the kernels take buffers at offset 0). */
    private Tensor whole(Tensor t) {
        if (t.offset() == 0 && t.storage().length() == t.numel()) return t;
        return Tensor.zeros(backend, DType.F32, t.shape()).assign(t);
    }

    /** Every member's {@code name}, stacked: [members, rows, cols]. */
    private Tensor upload(float[] th, SlabLayout tl, String name, int rows, int cols) {
        int i = tl.index(name), n = tl.numel(i);
        float[] out = new float[members * n];
        for (int m = 0; m < members; m++) System.arraycopy(th, m * tl.size() + tl.offset(i), out, m * n, n);
        return Tensor.of(backend, out, members, rows, cols);
    }

    /** [banks × 159]: row k is bank entry k's MLP packed as the apply kernel reads it (w0 rows in group order). */
    static float[] bankMatrix(float[] th, SlabLayout tl, int banks) {
        float[] out = new float[banks * MIXED];
        for (int k = 0; k < banks; k++) {
            int at = k * MIXED;
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
