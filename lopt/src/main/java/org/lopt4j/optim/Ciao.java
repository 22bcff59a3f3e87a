package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * LHOPT's inner optimizer CIAO (lhopt.md §2): Adam with an AdaMax ('inf') or Adam denominator, bias corrections tracked
 * as recursions (the β's change while training), a global gradient-norm clip relative to the rolling maximum of the
 * norm, weight decay folded into the update or decoupled, and LAMB trust ratios from an EMA of each matrix update's
 * norm. A policy changes the hyperparameters between steps: build a new {@code Ciao} and go on with the same state.
 * Plain loops in float64 on the CPU backends; it has no fused device pass yet.
 *
 * @param clipNorm             group_clip_grad_norm (0 = no clipping)
 * @param denominatorInf       'inf' denominator (running max of |g|) instead of Adam's √v̂
 * @param weightDecayInUpdate  adam_update_include_weight_decay: {@code u += wd·p}; otherwise {@code p ← p·(1 − lr_t·wd)}
 * @param lambPower            LAMB's power (0 = no LAMB)
 */
public record Ciao(double lr, double ombeta1, double ombeta2, double epsilon, double weightDecay, double clipNorm, double gradClipOmbeta,
                   boolean denominatorInf, boolean weightDecayInUpdate, double lambPower, double lambMinTrust, double lambMaxTrust,
                   boolean lambIgnoreVectors, double lambUpdateNormOmbeta) implements Optimizer<Ciao.State> {
    /** CIAO computes its features on every {@code FEATURE_EVERY}th step (lhopt.md: inner_feature_frequency 4). */
    public static final int FEATURE_EVERY = 4;

    /** The example config's settings. */
    public static Ciao lhopt() { return new Ciao(1e-3, 0.1, 1e-2, 1e-6, 1e-2, 0.8, 1e-2, true, true, 1, 1e-3, Double.POSITIVE_INFINITY, true, 0.05); }

    /** This CIAO with the hyperparameters a policy sets. */
    public Ciao with(double lr, double ombeta1, double ombeta2, double epsilon, double weightDecay, double clipNorm, double gradClipOmbeta,
                     double lambUpdateNormOmbeta) {
        return new Ciao(lr, ombeta1, ombeta2, epsilon, weightDecay, clipNorm, gradClipOmbeta, denominatorInf, weightDecayInUpdate, lambPower,
                lambMinTrust, lambMaxTrust, lambIgnoreVectors, lambUpdateNormOmbeta);
    }

    /**
     * Moments {@code m}, {@code v}; per tensor the bias-correction recursions {@code bc1}, {@code bc2}, the LAMB update
     * norm EMA and its correction; the rolling maximum gradient norm; whether the last step clipped; the
     * {@link CiaoFeatures} of the last step (averaged over tensors; null on steps that compute none: every
     * {@link #FEATURE_EVERY}th step computes them).
     */
    public record State(Slab m, Slab v, double[] bc1, double[] bc2, double[] lambNorm, double[] lambBc, double rollingMax, boolean didClip,
                        double[] features, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> b = new LinkedHashMap<>();
            b.put("m", m);
            b.put("v", v);
            return b;
        }

        @Override public State copy() {
            return new State(m.copy(), v.copy(), bc1.clone(), bc2.clone(), lambNorm.clone(), lambBc.clone(), rollingMax, didClip,
                    features == null ? null : features.clone(), step, skipped);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            return new State(m, v, bc1, bc2, lambNorm, lambBc, rollingMax, didClip, features, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }
    }

    @Override public State init(Slab params) {
        int n = params.layout().count();
        return new State(params.zerosLike(), params.zerosLike(), new double[n], new double[n], new double[n], new double[n], 0, false, null, 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        NonFiniteGuard.checkPair(params, grads);
        if (!NonFiniteGuard.admit(NonFinitePolicy.SKIP_AND_COUNT, grads)) return s.skip();
        SlabLayout l = params.layout();
        CpuStorage p = st(params), g = st(grads), m = st(s.m()), v = st(s.v());
        double b1 = 1 - ombeta1, b2 = 1 - ombeta2, bc = 1 - gradClipOmbeta, ob = lambUpdateNormOmbeta;
        double sq = 0;
        for (int i = 0; i < l.size(); i++) sq += g.get(i) * g.get(i);                   // the gaps between tensors hold zeros
        double norm = Math.sqrt(sq), rolling = Math.max(norm, bc * s.rollingMax());
        double coef = clipNorm > 0 ? clipNorm * rolling / (norm + 1e-6) : 1;
        boolean clip = coef < 1;
        double[] bc1 = s.bc1().clone(), bc2 = s.bc2().clone(), ln = s.lambNorm().clone(), lb = s.lambBc().clone();
        boolean featuresNow = s.step() % FEATURE_EVERY == 0;
        double[] features = featuresNow ? new double[CiaoFeatures.COUNT] : null;
        for (int t = 0; t < l.count(); t++) {
            int off = l.offset(t), n = l.numel(t);
            boolean vec = l.shape(t).rank() <= 1;
            bc1[t] = b1 * bc1[t] + (1 - b1);
            bc2[t] = b2 * bc2[t] + (1 - b2);
            double[] u = new double[n], gs = featuresNow ? new double[n] : null, mh = featuresNow ? new double[n] : null, ps = featuresNow ? new double[n] : null;
            int aboveEps = 0;
            double uu = 0, pp = 0;
            for (int e = 0; e < n; e++) {
                double gi = clip ? coef * g.get(off + e) : g.get(off + e), pi = p.get(off + e);
                double mi = b1 * m.get(off + e) + (1 - b1) * gi;
                double vi = denominatorInf ? Math.max(b2 * v.get(off + e), Math.abs(gi)) : b2 * v.get(off + e) + (1 - b2) * gi * gi;
                m.set(off + e, mi);
                v.set(off + e, vi);
                double den = denominatorInf ? vi + epsilon : Math.sqrt(vi / bc2[t]) + epsilon;
                u[e] = mi / den / bc1[t] + (weightDecayInUpdate ? weightDecay * pi : 0);
                uu += u[e] * u[e];
                pp += pi * pi;
                if (featuresNow) {
                    gs[e] = gi;
                    mh[e] = mi / bc1[t];
                    ps[e] = pi;
                    if (vi > epsilon) aboveEps++;
                }
            }
            double lrT = lr;
            if (lambPower > 0 && !(vec && lambIgnoreVectors)) {
                ln[t] = (1 - ob) * ln[t] + ob * Math.sqrt(uu);
                lb[t] = (1 - ob) * lb[t] + ob;
                double un = ln[t] / lb[t], pn = Math.sqrt(pp);
                if (pn >= 1e-8 && un >= 1e-8) lrT = lr * Math.pow(Math.max(lambMinTrust, Math.min(lambMaxTrust, pn / un)), lambPower);
            }
            if (featuresNow) {
                double[] f = CiaoFeatures.of(clip, (double) aboveEps / Math.max(1, n), gs, mh, u, ps, lrT);
                for (int k = 0; k < f.length; k++) features[k] += f[k] / l.count();
            }
            for (int e = 0; e < n; e++) {
                double pi = p.get(off + e);
                if (!weightDecayInUpdate) pi *= 1 - lrT * weightDecay;
                p.set(off + e, pi - lrT * u[e]);
            }
        }
        return new State(s.m(), s.v(), bc1, bc2, ln, lb, rolling, clip, features, s.step() + 1, s.skipped());
    }

    private static CpuStorage st(Slab s) {
        if (!(s.flat().storage() instanceof CpuStorage c)) throw new IllegalArgumentException("CIAO runs on the CPU backends so far, not on " + s.backend().name());
        return c;
    }

    @Override public String name() { return "ciao"; }
}
