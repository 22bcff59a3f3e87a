package org.lopt4j.learned.l3rs;

import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * L3RS's twin: narrowing_l3rs.md §2 written out tensor after tensor, element after element, in double, each stored
 * value rounded once to its buffer's dtype. The definition {@link L3rsSimd} and l3rs.cu / .cl are tested against; it
 * calls none of them.
 */
public final class L3rsRef {
    private L3rsRef() {}

    private static CpuStorage st(Tensor t) { return (CpuStorage) t.storage(); }

    /** One step for every tensor of every member of {@code a}. */
    public static void step(L3rsArgs a) {
        if (UpdateCounts.skipped(a.gradStats(), a.skipNonFinite(), a.skips())) return;
        SlabLayout l = a.layout();
        UpdateCounts.advance(a.count(), l.count(), a.countStride());
        int[] counts = UpdateCounts.read(a.count(), l.count(), a.countStride());
        CpuStorage p = st(a.params()), g = st(a.grads()), hb = st(a.b()), m = st(a.m()), v = st(a.v()), ema = st(a.ema());
        float[] theta = a.theta().toFloatArray(), losses = a.losses().toFloatArray();
        int[] widths = a.widths().toIntArray();
        for (int t = 0; t < l.count(); t++) {
            int off = l.offset(t), n = l.numel(t), member = t / a.perMember(), k = counts[t];
            double bc1 = 1 - Math.pow(L3rs.BETA1, k), bc2 = 1 - Math.pow(L3rs.BETA2, k);
            // accumulate: the base optimizers' state, then each direction's squared norm over the tensor
            double sp = 0, sg = 0, sb = 0, sa = 0, ss = 0;
            for (int e = off; e < off + n; e++) {
                double gi = g.get(e), pi = p.get(e);
                sp += pi * pi;
                sg += gi * gi;
                hb.set(e, L3rs.MOMENTUM * hb.get(e) + gi);
                m.set(e, L3rs.BETA1 * m.get(e) + (1 - L3rs.BETA1) * gi);
                v.set(e, L3rs.BETA2 * v.get(e) + (1 - L3rs.BETA2) * gi * gi);
                double[] d = directions(gi, hb.get(e), m.get(e), v.get(e), bc1, bc2);
                sb += d[1] * d[1];
                sa += d[2] * d[2];
                ss += d[3] * d[3];
            }
            // layer: EMA features, time, embedding → MLP → λ, μ
            double normP = Math.sqrt(sp), normG = Math.sqrt(sg);
            double[] stat = {normP, normG, losses[member]}, x = new double[L3rsArgs.FEATURES];
            int eo = t * a.emaStride();
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 3; i++) {
                    double gamma = L3rs.EMA_DECAYS[i], acc = gamma * ema.get(eo + 3 * s + i) + (1 - gamma) * stat[s];
                    ema.set(eo + 3 * s + i, acc);
                    x[3 * s + i] = Math.log(Math.max(ema.get(eo + 3 * s + i) / (1 - Math.pow(gamma, k)), L3rs.LOG_FLOOR));
                }
            }
            double tau = (k - 1) / (double) a.numSteps();
            x[L3rsArgs.EMA] = tau;
            x[L3rsArgs.EMA + 1] = Math.sin(Math.PI * tau);
            x[L3rsArgs.EMA + 2] = Math.cos(Math.PI * tau);
            int mlpSize = 0;
            for (int i = 0; i + 1 < widths.length; i++) mlpSize += widths[i] * widths[i + 1] + widths[i + 1];
            int emb = member * a.thetaStride() + mlpSize + (t % a.perMember()) * L3rsArgs.EMBED;
            for (int j = 0; j < L3rsArgs.EMBED; j++) x[L3rsArgs.EMA + L3rsArgs.TIME + j] = theta[emb + j];
            double[] z = mlp(theta, member * a.thetaStride(), widths, x);
            double lambda = Math.exp(z[0] + Math.log(a.lambda0())) * (a.scaleByNorm() != 0 ? normP : 1);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int q = 0; q < L3rsArgs.DIRECTIONS; q++) max = Math.max(max, z[1 + q]);
            double[] mu = new double[L3rsArgs.DIRECTIONS];
            for (int q = 0; q < mu.length; q++) { mu[q] = Math.exp(z[1 + q] - max); sum += mu[q]; }
            double[] inv = {1 / (normG + L3rs.NORM_EPS), 1 / (Math.sqrt(sb) + L3rs.NORM_EPS),
                    1 / (Math.sqrt(sa) + L3rs.NORM_EPS), 1 / (Math.sqrt(ss) + L3rs.NORM_EPS)};
            CpuStorage out = st(a.layerOut());                  // what the step used, for whoever inspects it
            out.set(t * L3rsArgs.LAYER_OUT, lambda);
            for (int q = 0; q < mu.length; q++) {
                out.set(t * L3rsArgs.LAYER_OUT + 1 + q, mu[q] / sum);
                out.set(t * L3rsArgs.LAYER_OUT + 1 + mu.length + q, inv[q]);
            }
            // apply
            for (int e = off; e < off + n; e++) {
                double[] d = directions(g.get(e), hb.get(e), m.get(e), v.get(e), bc1, bc2);
                double step = 0;
                for (int q = 0; q < mu.length; q++) step += mu[q] / sum * inv[q] * d[q];
                p.set(e, p.get(e) - lambda * step);
            }
        }
    }

    /** The four base directions at one element: g, the heavy ball, Adam's bias-corrected step, the heavy ball's sign. */
    static double[] directions(double g, double b, double m, double v, double bc1, double bc2) {
        return new double[] {g, b, (m / bc1) / (Math.sqrt(v / bc2) + L3rs.ADAM_EPS), Math.signum(b)};
    }

    /** The MLP packed at {@code at} (layer by layer, weights [in × out] then bias), ReLU between layers. */
    static double[] mlp(float[] theta, int at, int[] widths, double[] x) {
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int fi = widths[layer], fo = widths[layer + 1];
            double[] y = new double[fo];
            for (int j = 0; j < fo; j++) {
                double acc = theta[at + fi * fo + j];
                for (int i = 0; i < fi; i++) acc += x[i] * theta[at + i * fo + j];
                y[j] = layer + 2 < widths.length ? Math.max(acc, 0) : acc;
            }
            at += fi * fo + fo;
            x = y;
        }
        return x;
    }
}
