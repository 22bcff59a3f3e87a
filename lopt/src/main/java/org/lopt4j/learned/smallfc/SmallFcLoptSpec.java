package org.lopt4j.learned.smallfc;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * The readable specification of one small_fc_lopt update of one tensor, with tensor ops, in the order of
 * small_fc_lopt.md §5–§7 (keep-dims reductions stand in for "broadcast back along d0/d1"). The kernel is tested
 * against it in float64.
 */
public final class SmallFcLoptSpec {
    private SmallFcLoptSpec() {}

    private static Tensor safeRsqrt(Tensor x) { return x.maximum(x.scalar(1e-9)).sqrt().recip(); }

    private static Tensor ema(Tensor acc, Tensor x, double b) { return acc.mul(acc.scalar(b)).add(x.mul(x.scalar(1 - b))); }

    /** Shape with a size-1 axis inserted at {@code a}. */
    private static int[] insert(Shape s, int a) {
        int[] d = s.dims(), o = new int[d.length + 1];
        for (int i = 0, j = 0; i < o.length; i++) o[i] = i == a ? 1 : d[j++];
        return o;
    }

    /**
     * Updates {@code p} and the state views in place. {@code m[k]}, {@code v} have p's shape; {@code r[k]} is the row
     * accumulator (v_diag for rank ≤ 1), {@code c[k]} the column accumulator (empty for rank ≤ 1); {@code theta} is one
     * member's θ (layout {@link SmallFcLopt#thetaLayout()}), {@code t} the update count.
     */
    public static void update(SmallFcLopt lo, Slab theta, Tensor p0, Tensor g0, Tensor[] m, Tensor v, Tensor[] r, Tensor[] c, int t) {
        update(lo, UpdateOptions.NONE, theta, p0, g0, m, v, r, c, t);
    }

    /**
     * {@link #update} with PyLO's options: the gradient clipped to norm {@code o.maxGradNorm()} first (in place, as
     * torch's clip_grad_norm_), the step scaled by {@code o.lr()}, then {@code p ← p − lr·wd·p}.
     */
    public static void update(SmallFcLopt lo, UpdateOptions o, Slab theta, Tensor p0, Tensor g0, Tensor[] m, Tensor v, Tensor[] r, Tensor[] c,
                              int t) {
        float[] mom = new float[3], ada = new float[3], mo = theta.tensor("momentum_decays").toFloatArray();
        float[] ao = theta.tensor("adafactor_decays").toFloatArray();
        for (int k = 0; k < 3; k++) {
            mom[k] = SmallFcLopt.decay(SmallFcLopt.MOM_DECAYS[k], mo[k]);
            ada[k] = Math.min(1f, Math.max(0f, SmallFcLopt.decay(SmallFcLopt.ADAFACTOR_DECAYS[k], ao[k])));
        }
        float rms = Math.min(1f, Math.max(0f, SmallFcLopt.decay(SmallFcLopt.RMS_DECAYS[0], theta.tensor("rms_decays").toFloatArray()[0])));
        Tensor p = p0.rank() == 0 ? p0.reshape(1) : p0, g = g0.rank() == 0 ? g0.reshape(1) : g0;
        if (o.maxGradNorm() > 0) {                                         // torch's clip_grad_norm_ on this tensor, in place
            Tensor norm = g.square().reshape(g.numel()).sumKeep(0).sqrt();
            g.assign(g.mul(norm.scalar(o.maxGradNorm()).div(norm.add(norm.scalar(1e-6))).minimum(norm.scalar(1))));
        }
        Shape s = p.shape();
        FactoredDims f = FactoredDims.of(s);
        List<Tensor> mk = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Tensor mm = m[k].reshape(s.dims());
            mm.assign(ema(mm, g, mom[k]));
            mk.add(mm);
        }
        Tensor vv = v.reshape(s.dims());
        vv.assign(ema(vv, g.square(), rms));
        Tensor big = g.square().add(g.scalar(1e-30));
        Tensor[] facG = new Tensor[3], rowFeat = new Tensor[3], colFeat = new Tensor[3], mFac = new Tensor[3];
        for (int k = 0; k < 3; k++) {
            double b = ada[k];
            if (f != null) {
                Tensor rr = r[k], cc = c[k];
                rr.assign(ema(rr, big.meanKeep(f.d0()).reshape(rr.shape().dims()), b));
                cc.assign(ema(cc, big.meanKeep(f.d1()).reshape(cc.shape().dims()), b));
                Tensor rowFac = safeRsqrt(rr.div(rr.meanKeep(f.d1InRow()).add(rr.scalar(1e-9))));
                Tensor colFac = safeRsqrt(cc);
                Tensor rowB = rowFac.reshape(insert(rr.shape(), f.d0())), colB = colFac.reshape(insert(cc.shape(), f.d1()));
                facG[k] = g.mul(rowB).mul(colB);
                rowFeat[k] = rr.reshape(insert(rr.shape(), f.d0())).expand(s);
                colFeat[k] = cc.reshape(insert(cc.shape(), f.d1())).expand(s);
                mFac[k] = mk.get(k).mul(rowB).mul(colB);
            } else {
                Tensor vd = r[k].reshape(s.dims());
                vd.assign(ema(vd, big, b));
                facG[k] = g.mul(safeRsqrt(vd.add(vd.scalar(1e-9))));
                rowFeat[k] = vd;
                colFeat[k] = vd;
                mFac[k] = mk.get(k).mul(vd.add(vd.scalar(1e-6)).sqrt().recip());
            }
        }
        Tensor rs = vv.add(vv.scalar(1e-6)).sqrt().recip();
        List<Tensor> feats = new ArrayList<>(List.of(g, p));
        feats.addAll(mk);
        feats.add(vv);
        for (Tensor x : mk) feats.add(x.mul(rs));
        feats.add(rs);
        for (Tensor x : facG) feats.add(x);
        for (Tensor x : rowFeat) feats.add(x);
        for (Tensor x : colFeat) feats.add(x);
        for (Tensor x : rowFeat) feats.add(x.add(x.scalar(1e-8)).sqrt().recip());
        for (Tensor x : colFeat) feats.add(x.add(x.scalar(1e-8)).sqrt().recip());
        for (Tensor x : mFac) feats.add(x);
        int n = s.numel();
        List<Tensor> cols = new ArrayList<>();
        for (Tensor x : feats) cols.add(x.contiguous().reshape(n, 1));
        Tensor xm = cols.get(0).cat(1, cols.subList(1, cols.size()));                     // [n, 28]
        xm = xm.mul(xm.square().meanKeep(0).add(xm.scalar(1e-5)).sqrt().recip());
        float[] time = TimeFeatures.of(t);
        double[] td = new double[time.length];
        for (int k = 0; k < td.length; k++) td[k] = time[k];
        Tensor h = xm.cat(1, List.of(Tensor.of(p.backend(), td, 1, td.length).to(p.dtype()).expand(Shape.of(n, td.length))));
        int layers = lo.widths().length - 1;
        for (int i = 0; i < layers; i++) {
            Tensor w = theta.tensor("nn/~/w" + i).to(p.backend()).to(p.dtype()), bb = theta.tensor("nn/~/b" + i).to(p.backend()).to(p.dtype());
            h = h.matmul(w).add(bb);
            if (i < layers - 1) h = h.maximum(h.scalar(0));
        }
        Tensor dir = h.slice(1, 0, 1, 1), mag = h.slice(1, 1, 2, 1);
        Tensor step = dir.mul(mag.mul(mag.scalar(lo.expMult())).exp()).mul(dir.scalar(lo.stepMult() * lo.lr() * o.lr()));
        Tensor q = p.sub(step.reshape(s.dims()));
        p.assign(q.sub(q.mul(q.scalar(o.lr() * o.weightDecay()))));
    }
}
