package org.lopt4j.learned.mlp;

import org.lopt4j.learned.PackedMlp;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.lanes.LaneMlp;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.LearnedOps.MlpLoptArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * MLPLOpt's step for F32 slabs on both cores in two passes, whatever the tensor count ({@link MlpLoptRef} is its
 * twin): accumulate with feature_sums over the chunk table (the six momenta, the 8 features' sums of squares per
 * tensor), then apply over the chunk table (normalize, append time features, evaluate the MLP in vector lanes,
 * update).
 */
public final class MlpLoptSimd {
    /** Elements per chunk of the chunk table. */
    static final int CHUNK = 4096;

    private MlpLoptSimd() {}

    private static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    /** One step for every tensor of every member of {@code a}. */
    public static void step(MlpLoptArgs args) {
        if (UpdateCounts.skipped(args.gradStats(), args.skipNonFinite(), args.skips())) return;
        SlabLayout l = args.layout();
        UpdateCounts.advance(args.count(), l.count(), args.countStride());
        int[] counts = UpdateCounts.read(args.count(), l.count(), args.countStride());
        ChunkTable ct = l.chunks(CHUNK);
        float[] p = f(args.params()), g = f(args.grads()), dec = args.decays().toFloatArray();
        float[][] mk = {f(args.m0()), f(args.m1()), f(args.m2()), f(args.m3()), f(args.m4()), f(args.m5())};
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
                        float b = dec[k], mi = b * mk[k][e] + (1f - b) * gi;
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
            for (int f = 0; f < nf; f++) scale[t][f] = (float) (1 / Math.sqrt(TimeFeatures.NORM_EPS + sums[t][f] / Math.max(1, l.numel(t))));
        }
        int[] widths = args.widths().toIntArray();
        int members = l.count() / args.perMember(), nt = TimeFeatures.TAU.length;
        float[] theta = args.theta().toFloatArray();
        float[][] times = new float[members][];
        float expMult = (float) args.expMult(), stepMult = (float) args.stepMult();
        float[][][] packed = new float[members][widths.length - 1][], laneBias = new float[members][widths.length - 1][];
        for (int q = 0; q < members; q++) {
            times[q] = TimeFeatures.of(counts[q * args.perMember()] - 1);
            float[][] w = PackedMlp.weights(theta, args.thetaStride(), widths, q), b = PackedMlp.biases(theta, args.thetaStride(), widths, q);
            for (int layer = 0; layer + 1 < widths.length; layer++) {
                packed[q][layer] = LaneMlp.pack(w[layer], widths[layer], widths[layer + 1], 2);
                laneBias[q][layer] = LaneMlp.laneBias(b[layer], 2);
            }
        }
        // pass 2: features, MLP, update
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            int lanes = 2 * LaneMlp.lanes(), maxw = 0;                 // two lane blocks per MLP evaluation (LaneMlp.evalPacked)
            for (int w : widths) maxw = Math.max(maxw, w);
            float[] a = new float[maxw * lanes], b = new float[maxw * lanes];
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), off = l.offset(t), s0 = ct.startOf(c), s1 = Math.min(s0 + CHUNK, l.numel(t));
                int member = t / args.perMember();
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
}
