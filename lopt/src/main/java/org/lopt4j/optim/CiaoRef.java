package org.lopt4j.optim;

import org.lopt4j.tensor.LearnedOps.CiaoArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * CIAO's step as plain loops in double (lhopt.md §2–§3; the CPU backends' {@code LearnedOps.ciao}, the twin the
 * device kernels are tested against): the global gradient norm and its rolling-max clip, per tensor the bias-correction
 * recursions, moments, the pre-learning-rate update, LAMB's trust ratio from the EMA of the update's norm, the 13
 * inner features on feature steps, then the parameters.
 */
public final class CiaoRef {
    private CiaoRef() {}

    /** One step of {@code a}. */
    public static void step(CiaoArgs a) {
        SlabLayout l = a.layout();
        CpuStorage p = st(a.params()), g = st(a.grads()), m = st(a.m()), v = st(a.v()), pt = st(a.perTensor()), gl = st(a.global());
        CpuStorage vector = st(a.vector()), feats = a.features() == null ? null : st(a.features());
        double b1 = 1 - a.ombeta1(), b2 = 1 - a.ombeta2(), bc = 1 - a.gradClipOmbeta(), ob = a.lambUpdateNormOmbeta(), eps = a.epsilon(), wd = a.weightDecay();
        double sq = 0;
        for (int t = 0; t < l.count(); t++) for (int e = 0; e < l.numel(t); e++) sq += g.get(l.offset(t) + e) * g.get(l.offset(t) + e);
        double norm = Math.sqrt(sq), rolling = Math.max(norm, bc * gl.get(0));
        double coef = a.clipNorm() > 0 ? a.clipNorm() * rolling / (norm + 1e-6) : 1;
        boolean clip = coef < 1;
        gl.set(0, rolling);
        gl.set(1, coef);
        gl.set(2, clip ? 1 : 0);
        int k = CiaoArgs.PER_TENSOR;
        for (int t = 0; t < l.count(); t++) {
            int off = l.offset(t), n = l.numel(t);
            double bc1 = b1 * pt.get(t * k) + (1 - b1), bc2 = b2 * pt.get(t * k + 1) + (1 - b2);
            pt.set(t * k, bc1);
            pt.set(t * k + 1, bc2);
            double[] u = new double[n], gs = new double[n], mh = new double[n], ps = new double[n];
            int aboveEps = 0;
            double uu = 0, pp = 0;
            for (int e = 0; e < n; e++) {
                double gi = clip ? coef * g.get(off + e) : g.get(off + e), pi = p.get(off + e);
                double mi = b1 * m.get(off + e) + (1 - b1) * gi;
                double vi = a.denominatorInf() ? Math.max(b2 * v.get(off + e), Math.abs(gi)) : b2 * v.get(off + e) + (1 - b2) * gi * gi;
                m.set(off + e, mi);
                v.set(off + e, vi);
                double den = a.denominatorInf() ? vi + eps : Math.sqrt(vi / bc2) + eps;
                u[e] = mi / den / bc1 + (a.weightDecayInUpdate() ? wd * pi : 0);
                uu += u[e] * u[e];
                pp += pi * pi;
                gs[e] = gi;
                mh[e] = mi / bc1;
                ps[e] = pi;
                if (vi > eps) aboveEps++;
            }
            double lrT = a.lr();
            if (a.lambPower() > 0 && !(vector.get(t) != 0 && a.lambIgnoreVectors())) {
                double ln = (1 - ob) * pt.get(t * k + 2) + ob * Math.sqrt(uu), lb = (1 - ob) * pt.get(t * k + 3) + ob;
                pt.set(t * k + 2, ln);
                pt.set(t * k + 3, lb);
                double un = ln / lb, pn = Math.sqrt(pp);
                if (pn >= 1e-8 && un >= 1e-8) lrT = a.lr() * Math.pow(Math.max(a.lambMinTrust(), Math.min(a.lambMaxTrust(), pn / un)), a.lambPower());
            }
            pt.set(t * k + 4, lrT);
            if (feats != null) {
                double[] f = CiaoFeatures.of(clip, (double) aboveEps / Math.max(1, n), gs, mh, u, ps, lrT);
                for (int q = 0; q < f.length; q++) feats.set(t * CiaoArgs.FEATURES + q, f[q]);
            }
            for (int e = 0; e < n; e++) {
                double pi = p.get(off + e);
                if (!a.weightDecayInUpdate()) pi *= 1 - lrT * wd;
                p.set(off + e, pi - lrT * u[e]);
            }
        }
    }

    private static CpuStorage st(Tensor t) { return (CpuStorage) t.storage(); }
}
