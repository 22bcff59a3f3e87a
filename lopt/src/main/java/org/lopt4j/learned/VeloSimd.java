package org.lopt4j.learned;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.Species;
import org.lopt4j.tensor.cpu.VecMath;

/**
 * VeLO's per-element passes for F32 slabs on the CPU, in vector lanes on both cores, for every tensor in a fixed
 * number of passes ({@link VeloStep} is the float64 twin): the statistics of the LSTM features, then (after the tensor
 * network) small_fc_lopt's accumulator pass with VeLO's fixed decays and {@link SmallFcLoptSimd}'s feature and apply
 * passes with VeLO's 30 feature rows and each tensor's mixed MLP.
 */
final class VeloSimd {
    private static final VectorSpecies<Float> S = Species.F32;
    static final int CHUNK = 4096;

    private VeloSimd() {}

    private static float[] f(Slab s) { return ((CpuStorage) s.flat().storage()).f32; }

    /** Per tensor, {@code [Σp², Σv, Σv², Σm0, Σm0², Σm1, Σm1², Σm2, Σm2²]} of the state before the update. */
    static double[][] stats(Slab params, NamedState s) {
        SlabLayout l = params.layout();
        ChunkTable ct = l.chunks(CHUNK);
        float[] p = f(params), v = f(s.slab("v")), m0 = f(s.slab("m0")), m1 = f(s.slab("m1")), m2 = f(s.slab("m2"));
        double[][] partial = new double[ct.size()][VeloFused.STATS];
        int lanes = S.length();
        Parallel.forRange(ct.size(), 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                int t = ct.tensorOf(c), e0 = l.offset(t) + ct.startOf(c), e1 = l.offset(t) + Math.min(ct.startOf(c) + CHUNK, l.numel(t));
                FloatVector[] acc = new FloatVector[VeloFused.STATS];
                java.util.Arrays.fill(acc, FloatVector.zero(S));
                int e = e0;
                for (; e + lanes <= e1; e += lanes) {
                    FloatVector pv = FloatVector.fromArray(S, p, e), vv = FloatVector.fromArray(S, v, e);
                    acc[0] = pv.fma(pv, acc[0]);
                    acc[1] = acc[1].add(vv);
                    acc[2] = vv.fma(vv, acc[2]);
                    FloatVector a = FloatVector.fromArray(S, m0, e), b = FloatVector.fromArray(S, m1, e), d = FloatVector.fromArray(S, m2, e);
                    acc[3] = acc[3].add(a);
                    acc[4] = a.fma(a, acc[4]);
                    acc[5] = acc[5].add(b);
                    acc[6] = b.fma(b, acc[6]);
                    acc[7] = acc[7].add(d);
                    acc[8] = d.fma(d, acc[8]);
                }
                double[] out = partial[c];
                for (int q = 0; q < out.length; q++) out[q] = VecMath.sum(acc[q]);
                for (; e < e1; e++) {
                    out[0] += p[e] * p[e];
                    out[1] += v[e];
                    out[2] += v[e] * v[e];
                    out[3] += m0[e];
                    out[4] += m0[e] * m0[e];
                    out[5] += m1[e];
                    out[6] += m1[e] * m1[e];
                    out[7] += m2[e];
                    out[8] += m2[e] * m2[e];
                }
            }
        });
        double[][] sums = new double[l.count()][VeloFused.STATS];
        for (int c = 0; c < ct.size(); c++) for (int q = 0; q < VeloFused.STATS; q++) sums[ct.tensorOf(c)][q] += partial[c][q];
        return sums;
    }

    /**
     * The accumulators from the clipped gradient {@code gc}, then every element through its tensor's mixed MLP
     * ({@code mixed}: 159 floats per tensor) with step multiplier {@code step[t]}.
     */
    static void apply(Slab params, Slab gc, NamedState s, float[] mixed, float[] step) {
        SmallFcLoptKernel.TensorAux[] aux = SmallFcLoptKernel.accumulators(java.util.List.of(VeloStep.FIXED_DECAYS), params, gc, s);
        int count = params.layout().count();
        int[] widths = {Velo.FEATURES, Velo.HIDDEN, Velo.HIDDEN, Velo.OUTPUTS};
        float[][][] w = new float[count][3][], b = new float[count][3][];
        int[] mlpOf = new int[count];
        for (int t = 0; t < count; t++) {
            int at = t * VeloFused.MIXED;
            for (int layer = 0; layer < 3; layer++) {
                int in = widths[layer], out = widths[layer + 1];
                w[t][layer] = java.util.Arrays.copyOfRange(mixed, at, at + in * out);
                at += in * out;
                b[t][layer] = java.util.Arrays.copyOfRange(mixed, at, at + out);
                at += out;
            }
            mlpOf[t] = t;
        }
        SmallFcLoptSimd.apply(new SmallFcLoptSimd.Rule(SmallFcLoptSimd.Slots.VELO, widths, w, b, mlpOf, null, 0.001f, step),
                params, gc, s, aux);
    }
}
