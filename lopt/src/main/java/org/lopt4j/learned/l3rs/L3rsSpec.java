package org.lopt4j.learned.l3rs;

import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * The readable specification of one L3RS update of one member, tensor by tensor with tensor ops in the order of
 * narrowing_l3rs.md §2: the top of the ladder {@link L3rsRef} → {@link L3rsSimd} → l3rs.cu / .cl, tested against it in
 * float64.
 */
public final class L3rsSpec {
    private L3rsSpec() {}

    /**
     * Updates the tensors of {@code p} and the base optimizers' state {@code b}, {@code m}, {@code v} in place at their
     * {@code k}-th update of {@code numSteps}, with one member's θ {@code theta} (layout {@link L3rs#thetaLayout()}),
     * the member's {@code loss} and per tensor its EMAs {@code ema[t]} ({@link L3rsArgs#EMA} values, updated).
     */
    public static void update(L3rs lo, Slab theta, Slab p, Slab g, Slab b, Slab m, Slab v, double[][] ema, int k, int numSteps, double loss) {
        for (int t = 0; t < p.layout().count(); t++) {
            Tensor pt = p.tensor(t), gt = g.tensor(t), bt = b.tensor(t), mt = m.tensor(t), vt = v.tensor(t);
            double normP = Math.sqrt(pt.square().sumAll().item());
            bt.assign(bt.mul(c(bt, L3rs.MOMENTUM)).add(gt));                                  // heavy ball
            mt.assign(mt.mul(c(mt, L3rs.BETA1)).add(gt.mul(c(gt, 1 - L3rs.BETA1))));             // Adam's moments
            vt.assign(vt.mul(c(vt, L3rs.BETA2)).add(gt.square().mul(c(gt, 1 - L3rs.BETA2))));
            Tensor adam = mt.div(c(mt, 1 - Math.pow(L3rs.BETA1, k))).div(vt.div(c(vt, 1 - Math.pow(L3rs.BETA2, k))).sqrt().add(c(vt, L3rs.ADAM_EPS)));
            Tensor[] d = {gt, bt, adam, bt.sign()};
            double[] x = new double[L3rsArgs.FEATURES], stat = {normP, Math.sqrt(gt.square().sumAll().item()), loss};
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 3; i++) {
                    double gamma = L3rs.EMA_DECAYS[i];
                    ema[t][3 * s + i] = gamma * ema[t][3 * s + i] + (1 - gamma) * stat[s];
                    x[3 * s + i] = Math.log(Math.max(ema[t][3 * s + i] / (1 - Math.pow(gamma, k)), L3rs.LOG_FLOOR));
                }
            }
            double tau = (k - 1) / (double) numSteps;
            x[L3rsArgs.EMA] = tau;
            x[L3rsArgs.EMA + 1] = Math.sin(Math.PI * tau);
            x[L3rsArgs.EMA + 2] = Math.cos(Math.PI * tau);
            double[] e = theta.tensor("embedding").to(pt.dtype()).toDoubleArray();
            for (int j = 0; j < L3rsArgs.EMBED; j++) x[L3rsArgs.EMA + L3rsArgs.TIME + j] = e[t * L3rsArgs.EMBED + j];
            Tensor h = Tensor.of(pt.backend(), x, 1, x.length).to(pt.dtype());
            int layers = lo.widths().length - 1;
            for (int i = 0; i < layers; i++) {
                h = h.matmul(theta.tensor("mlp/~/linear_" + i + "/w").to(pt.dtype())).add(theta.tensor("mlp/~/linear_" + i + "/b").to(pt.dtype()));
                if (i < layers - 1) h = h.maximum(h.scalar(0));
            }
            double[] z = h.toDoubleArray();
            double lambda = Math.exp(z[0] + Math.log(lo.lambda0())) * (lo.scaleByNorm() ? normP : 1);
            Tensor logits = h.slice(1, 1, 1 + L3rsArgs.DIRECTIONS, 1);
            Tensor mu = logits.sub(logits.maxKeep(1)).exp();
            double[] w = mu.div(c(mu, mu.sumAll().item())).toDoubleArray();                        // softmax
            Tensor step = pt.mul(c(pt, 0));
            for (int q = 0; q < d.length; q++) step = step.add(d[q].mul(c(pt, w[q] / (Math.sqrt(d[q].square().sumAll().item()) + L3rs.NORM_EPS))));
            pt.assign(pt.sub(step.mul(c(pt, lambda))));
        }
    }

    private static Tensor c(Tensor like, double v) { return like.scalar(v); }
}
