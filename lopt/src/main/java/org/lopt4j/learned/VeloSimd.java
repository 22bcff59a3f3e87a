package org.lopt4j.learned;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Species;

/**
 * VeLO's per-element passes for F32 slabs on the CPU, in vector lanes on both cores, for every tensor in a fixed
 * number of passes ({@link VeloStep} is the float64 twin): small_fc_lopt's accumulator pass with VeLO's fixed decays,
 * which also sums the statistics of the LSTM features from the values it replaces, then (after the tensor network)
 * {@link SmallFcLoptSimd}'s feature and apply passes with VeLO's 30 feature rows and each tensor's mixed MLP.
 */
final class VeloSimd {
    private static final VectorSpecies<Float> S = Species.F32;
    private VeloSimd() {}

    private static float[] f(Slab s) { return ((CpuStorage) s.flat().storage()).f32; }

    /**
     * Adds {@code [Σp², Σv, Σv², Σm0, Σm0², Σm1, Σm1², Σm2, Σm2²]} over elements [from, to) into {@code out}: lane
     * sums go to {@code lanes[q·L + lane]} in double (no cross-lane reduction here, so the order is fixed and no vector
     * escapes the loop), the tail straight to {@code out[q]}; {@link #finish} adds the lanes in order.
     */
    static void addStats(double[] out, double[] lanes, float[] tmp, float[] p, float[] v, float[] m0, float[] m1, float[] m2, int from, int to) {
        int n = S.length(), e = from;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0;
        for (; e + n <= to; e += n) {
            FloatVector pv = FloatVector.fromArray(S, p, e), vv = FloatVector.fromArray(S, v, e);
            FloatVector a = FloatVector.fromArray(S, m0, e), b = FloatVector.fromArray(S, m1, e), d = FloatVector.fromArray(S, m2, e);
            s0 = pv.fma(pv, s0);
            s1 = s1.add(vv);
            s2 = vv.fma(vv, s2);
            s3 = s3.add(a);
            s4 = a.fma(a, s4);
            s5 = s5.add(b);
            s6 = b.fma(b, s6);
            s7 = s7.add(d);
            s8 = d.fma(d, s8);
        }
        s0.intoArray(tmp, 0);
        s1.intoArray(tmp, n);
        s2.intoArray(tmp, 2 * n);
        s3.intoArray(tmp, 3 * n);
        s4.intoArray(tmp, 4 * n);
        s5.intoArray(tmp, 5 * n);
        s6.intoArray(tmp, 6 * n);
        s7.intoArray(tmp, 7 * n);
        s8.intoArray(tmp, 8 * n);
        for (int i = 0; i < 9 * n; i++) lanes[i] += tmp[i];
        for (; e < to; e++) {
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

    /** Adds the lane sums of {@link #addStats} into {@code out}, lane by lane in order. */
    static void finish(double[] out, double[] lanes) {
        int n = S.length();
        for (int q = 0; q < 9; q++) for (int j = 0; j < n; j++) out[q] += lanes[q * n + j];
    }

    /**
     * Pass A with VeLO's fixed decays from the clipped gradient {@code gc}, which also returns in {@code stats} (tensors
     * × 9) the statistics of the state before the update for the LSTM features.
     */
    static SmallFcLoptKernel.TensorAux[] accumulate(Slab params, Slab gc, NamedState s, double[][] stats) {
        return SmallFcLoptKernel.accumulators(java.util.List.of(VeloStep.FIXED_DECAYS), params, gc, s, stats);
    }

    /**
     * Every element through its tensor's mixed MLP ({@code mixed}: 159 floats per tensor) with step multiplier
     * {@code step[t]}, after {@link #accumulate}.
     */
    static void apply(Slab params, Slab gc, NamedState s, SmallFcLoptKernel.TensorAux[] aux, float[] mixed, float[] step) {
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
