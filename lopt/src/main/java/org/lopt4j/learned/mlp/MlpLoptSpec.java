package org.lopt4j.learned.mlp;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The readable specification of one MLPLOpt update, one tensor at a time with tensor ops, exactly in the order of
 * mlp_lopt.md: the top of the ladder {@link MlpLoptRef} → {@link MlpLoptSimd} → mlp_lopt.cu / .cl, tested against it in
 * float64.
 */
public final class MlpLoptSpec {
    private MlpLoptSpec() {}

    /**
     * Updates {@code p} (any shape) and its momenta {@code m[k]} in place at update count {@code t}, with one
     * member's θ {@code theta} (layout {@link MlpLopt#thetaLayout()}).
     */
    public static void update(MlpLopt lo, Slab theta, Tensor p, Tensor g, Tensor[] m, int t) {
        int n = Math.max(1, p.numel());
        Tensor pf = p.reshape(n, 1), gf = g.reshape(n, 1);                         // scalars become [1]
        List<Tensor> cols = new ArrayList<>(List.of(pf));
        for (int k = 0; k < m.length; k++) {
            double b = MlpLopt.DECAYS[k];
            m[k].assign(m[k].mul(m[k].scalar(b)).add(g.mul(g.scalar(1 - b))));   // m ← β·m + (1 − β)·g
            cols.add(m[k].reshape(n, 1));
        }
        Tensor x = gf.cat(1, cols);                                               // [n, 8]: g, p, m(6)
        x = x.mul(x.square().meanKeep(0).add(x.scalar(TimeFeatures.NORM_EPS)).sqrt().recip());
        float[] time = TimeFeatures.of(t);
        double[] td = new double[time.length];
        for (int k = 0; k < td.length; k++) td[k] = time[k];
        Tensor tf = Tensor.of(p.backend(), td, 1, td.length).to(p.dtype()).expand(org.lopt4j.tensor.Shape.of(n, td.length));
        Tensor h = x.cat(1, List.of(tf));                                         // [n, 19]
        SlabLayout l = theta.layout();
        int layers = lo.widths().length - 1;
        for (int i = 0; i < layers; i++) {
            Tensor w = theta.tensor("mlp/~/linear_" + i + "/w").to(p.dtype()), b = theta.tensor("mlp/~/linear_" + i + "/b").to(p.dtype());
            h = h.matmul(w).add(b);
            if (i < layers - 1) h = h.maximum(h.scalar(0));
        }
        Tensor dir = h.slice(1, 0, 1, 1), mag = h.slice(1, 1, 2, 1);
        Tensor step = dir.mul(mag.mul(mag.scalar(lo.expMult())).exp()).mul(dir.scalar(lo.stepMult()));
        p.assign(pf.sub(step).reshape(p.shape().dims()));
        if (l.count() == 0) throw new IllegalStateException("empty θ");
    }
}
