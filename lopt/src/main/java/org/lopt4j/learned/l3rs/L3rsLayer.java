package org.lopt4j.learned.l3rs;

import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.PlainMlp;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * L3RS's per-tensor network on the CPU fast path: from a tensor's sums of squares, its EMAs (updated here), the
 * member's loss, the time and the layer's embedding, the MLP's step and mixture, as {@link L3rsArgs#LAYER_OUT} floats
 * {@code [λ, μ_0..μ_3, 1/(‖d_0‖ + ε)..1/(‖d_3‖ + ε)]}. In double; a few hundred operations per tensor.
 */
final class L3rsLayer {
    private L3rsLayer() {}

    /** Every tensor's layer outputs; {@code sums[t]} are its {@link L3rsArgs#SUMS} sums, {@code counts[t]} its update count. */
    static float[][] all(L3rsArgs a, double[][] sums, int[] counts) {
        SlabLayout l = a.layout();
        CpuStorage ema = (CpuStorage) a.ema().storage();
        float[] theta = a.theta().toFloatArray(), losses = a.losses().toFloatArray();
        int[] widths = a.widths().toIntArray();
        int mlpSize = 0;
        for (int i = 0; i + 1 < widths.length; i++) mlpSize += widths[i] * widths[i + 1] + widths[i + 1];
        float[][] out = new float[l.count()][];
        for (int t = 0; t < l.count(); t++) {
            int member = t / a.perMember(), k = counts[t], eo = t * a.emaStride();
            double normP = Math.sqrt(sums[t][0]), normG = Math.sqrt(sums[t][1]);
            double[] stat = {normP, normG, losses[member]}, x = new double[L3rsArgs.FEATURES];
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 3; i++) {
                    double gamma = L3rs.EMA_DECAYS[i];
                    ema.set(eo + 3 * s + i, gamma * ema.get(eo + 3 * s + i) + (1 - gamma) * stat[s]);
                    x[3 * s + i] = Math.log(Math.max(ema.get(eo + 3 * s + i) / (1 - Math.pow(gamma, k)), L3rs.LOG_FLOOR));
                }
            }
            double tau = (k - 1) / (double) a.numSteps();
            x[L3rsArgs.EMA] = tau;
            x[L3rsArgs.EMA + 1] = Math.sin(Math.PI * tau);
            x[L3rsArgs.EMA + 2] = Math.cos(Math.PI * tau);
            int emb = member * a.thetaStride() + mlpSize + (t % a.perMember()) * L3rsArgs.EMBED;
            for (int j = 0; j < L3rsArgs.EMBED; j++) x[L3rsArgs.EMA + L3rsArgs.TIME + j] = theta[emb + j];
            double[] z = PlainMlp.eval(PackedMlp.weights(theta, a.thetaStride(), widths, member),
                    PackedMlp.biases(theta, a.thetaStride(), widths, member), widths, x);
            float[] o = new float[L3rsArgs.LAYER_OUT];
            o[0] = (float) (Math.exp(z[0] + Math.log(a.lambda0())) * (a.scaleByNorm() != 0 ? normP : 1));
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int q = 0; q < L3rsArgs.DIRECTIONS; q++) max = Math.max(max, z[1 + q]);
            for (int q = 0; q < L3rsArgs.DIRECTIONS; q++) sum += Math.exp(z[1 + q] - max);
            for (int q = 0; q < L3rsArgs.DIRECTIONS; q++) {
                o[1 + q] = (float) (Math.exp(z[1 + q] - max) / sum);
                o[1 + L3rsArgs.DIRECTIONS + q] = (float) (1 / (Math.sqrt(q == 0 ? sums[t][1] : sums[t][1 + q]) + L3rs.NORM_EPS));
            }
            out[t] = o;
        }
        return out;
    }
}
