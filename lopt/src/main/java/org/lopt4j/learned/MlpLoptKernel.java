package org.lopt4j.learned;

import java.util.List;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.Species;

/**
 * MLPLOpt's update over a whole parameter slab in two passes, whatever the tensor count: (1) over the chunk table,
 * update the six momenta and sum the squares of the 8 features per tensor; (2) over the chunk table, normalize,
 * append time features, evaluate the MLP {@link Species#F32}-lanes at a time and update the parameters. {@link #twin}
 * is the plain-loop version (double arithmetic, one tensor after another) that the fused pass is tested against.
 */
final class MlpLoptKernel {
    /** Elements per chunk of the chunk table. */
    static final int CHUNK = 4096;

    private MlpLoptKernel() {}

    private static CpuStorage st(Slab s) { return (CpuStorage) s.flat().storage(); }

    /** θ index of parameter tensor t. */
    private static int member(int t, int tensors, int members) { return t / (tensors / members); }

    static void fused(MlpLopt lo, List<MlpLopt.Weights> thetas, Slab params, Slab grads, Slab[] m, int[] steps) {
        if (params.dtype() != DType.F32) { twin(lo, thetas, params, grads, m, steps); return; }
        SlabLayout l = params.layout();
        ChunkTable ct = l.chunks(CHUNK);
        float[] p = st(params).f32, g = st(grads).f32;
        float[][] mk = new float[m.length][];
        for (int k = 0; k < m.length; k++) mk[k] = st(m[k]).f32;
        int nf = MlpLopt.NORMALIZED;
        double[][] partial = new double[ct.size()][nf];
        // pass 1: momenta and per-chunk sums of squares
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), off = l.offset(t), s0 = ct.startOf(c), s1 = Math.min(s0 + CHUNK, l.numel(t));
                double[] acc = partial[c];
                for (int e = off + s0; e < off + s1; e++) {
                    float gi = g[e], pi = p[e];
                    acc[0] += gi * gi;
                    acc[1] += pi * pi;
                    for (int k = 0; k < mk.length; k++) {
                        float b = MlpLopt.DECAYS[k], mi = b * mk[k][e] + (1f - b) * gi;
                        mk[k][e] = mi;
                        acc[2 + k] += mi * mi;
                    }
                }
            }
        });
        float[][] scale = new float[l.count()][nf];
        double[][] sums = new double[l.count()][nf];
        for (int c = 0; c < ct.size(); c++) for (int f = 0; f < nf; f++) sums[ct.tensorOf(c)][f] += partial[c][f];
        for (int t = 0; t < l.count(); t++) {
            for (int f = 0; f < nf; f++) scale[t][f] = (float) (1 / Math.sqrt(Features.NORM_EPS + sums[t][f] / Math.max(1, l.numel(t))));
        }
        float[][] times = Features.time(steps);
        int members = thetas.size();
        float expMult = (float) lo.expMult(), stepMult = (float) lo.stepMult();
        int[] widths = lo.widths();
        float[][][] packed = new float[members][widths.length - 1][], laneBias = new float[members][widths.length - 1][];
        for (int q = 0; q < members; q++) {
            for (int layer = 0; layer + 1 < widths.length; layer++) {
                packed[q][layer] = LaneMlp.pack(thetas.get(q).w()[layer], widths[layer], widths[layer + 1], 2);
                laneBias[q][layer] = LaneMlp.laneBias(thetas.get(q).b()[layer], 2);
            }
        }
        // pass 2: features, MLP, update
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            int lanes = 2 * LaneMlp.lanes(), maxw = 0;                 // two lane blocks per MLP evaluation (LaneMlp.evalPacked)
            for (int w : widths) maxw = Math.max(maxw, w);
            float[] a = new float[maxw * lanes], b = new float[maxw * lanes];
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), off = l.offset(t), s0 = ct.startOf(c), s1 = Math.min(s0 + CHUNK, l.numel(t));
                int member = member(t, l.count(), members);
                float[] time = times[member];
                float[] sc = scale[t];
                for (int e0 = off + s0; e0 < off + s1; e0 += lanes) {
                    int n = Math.min(lanes, off + s1 - e0);
                    java.util.Arrays.fill(a, 0, widths[0] * lanes, 0f);
                    for (int j = 0; j < n; j++) {
                        int e = e0 + j;
                        a[j] = g[e] * sc[0];
                        a[lanes + j] = p[e] * sc[1];
                        for (int k = 0; k < mk.length; k++) a[(2 + k) * lanes + j] = mk[k][e] * sc[2 + k];
                    }
                    for (int k = 0; k < time.length; k++) java.util.Arrays.fill(a, (nf + k) * lanes, (nf + k + 1) * lanes, time[k]);
                    float[] out = LaneMlp.evalPacked(packed[member], laneBias[member], widths, a, b, 2);
                    for (int j = 0; j < n; j++) {
                        float dir = out[j], mag = out[lanes + j];
                        p[e0 + j] = p[e0 + j] - dir * (float) Math.exp(expMult * mag) * stepMult;
                    }
                }
            }
        });
    }

    /** The plain-loop twin: tensor after tensor, element after element, in double. */
    static void twin(MlpLopt lo, List<MlpLopt.Weights> thetas, Slab params, Slab grads, Slab[] m, int[] steps) {
        SlabLayout l = params.layout();
        CpuStorage p = st(params), g = st(grads);
        CpuStorage[] mk = new CpuStorage[m.length];
        for (int k = 0; k < m.length; k++) mk[k] = st(m[k]);
        float[][] times = Features.time(steps);
        int[] widths = lo.widths();
        for (int t = 0; t < l.count(); t++) {
            int off = l.offset(t), n = l.numel(t);
            double[] sumsq = new double[MlpLopt.NORMALIZED];
            for (int e = off; e < off + n; e++) {
                double gi = g.get(e);
                sumsq[0] += gi * gi;
                sumsq[1] += p.get(e) * p.get(e);
                for (int k = 0; k < mk.length; k++) {
                    double b = MlpLopt.DECAYS[k], mi = b * mk[k].get(e) + (1 - b) * gi;
                    mk[k].set(e, mi);
                    sumsq[2 + k] += mk[k].get(e) * mk[k].get(e);
                }
            }
            MlpLopt.Weights w = thetas.get(member(t, l.count(), thetas.size()));
            float[] time = times[member(t, l.count(), thetas.size())];
            for (int e = off; e < off + n; e++) {
                double[] x = new double[MlpLopt.INPUTS];
                x[0] = g.get(e);
                x[1] = p.get(e);
                for (int k = 0; k < mk.length; k++) x[2 + k] = mk[k].get(e);
                for (int f = 0; f < MlpLopt.NORMALIZED; f++) x[f] *= 1 / Math.sqrt(Features.NORM_EPS + sumsq[f] / n);
                for (int k = 0; k < time.length; k++) x[MlpLopt.NORMALIZED + k] = time[k];
                x = LaneMlp.eval(w.w(), w.b(), widths, x);
                p.set(e, p.get(e) - x[0] * Math.exp(lo.expMult() * x[1]) * lo.stepMult());
            }
        }
    }
}
