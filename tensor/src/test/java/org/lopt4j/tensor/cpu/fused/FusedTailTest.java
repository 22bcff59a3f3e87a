package org.lopt4j.tensor.cpu.fused;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The scalar tails of the fused loops compute exactly what the vector lanes compute: each kernel over one range
 * equals the same kernel over ranges split at odd boundaries (mostly tails), bit for bit, at 128 and 256 bits, F32
 * and F64. (Slabs are multiples of 16 elements, so the optimizer tests reach tails only at thread boundaries.)
 */
class FusedTailTest {
    static final int N = 203;
    static final int[] CUTS = {0, 5, 6, 77, 131, N};

    /** One kernel over {@code [from, to)} of five arrays (p, g, and three state buffers). */
    interface Kernel32 { void run(float[][] a, int from, int to); }

    interface Kernel64 { void run(double[][] a, int from, int to); }

    static List<Integer> widths() { return List.of(128, 256); }

    @TestFactory Stream<DynamicTest> f32TailsEqualLanes() {
        return widths().stream().flatMap(bits -> {
            VectorSpecies<Float> s = bits == 128 ? FloatVector.SPECIES_128 : FloatVector.SPECIES_256;
            List<Kernel32> ks = List.of(
                    (a, f, t) -> FusedF32.sgd(s, a[0], a[1], 0.1f, f, t),
                    (a, f, t) -> FusedF32.momentum(s, a[0], a[1], a[2], 0.1f, 0.9f, true, f, t),
                    (a, f, t) -> FusedF32.adamw(s, a[0], a[1], a[2], a[3], 0.01f, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 1e-8f, 0.1f, 0.3f, 0.2f, f, t),
                    (a, f, t) -> FusedF32.nadamw(s, a[0], a[1], a[2], a[3], 0.01f, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 0.1f, 0.01f, true, f, t),
                    (a, f, t) -> FusedF32.rmsprop(s, a[0], a[1], a[2], a[3], a[4], 0.01f, 0.9f, 0.1f, 1e-8f, false, 0.5f, true, f, t),
                    (a, f, t) -> FusedF32.lion(s, a[0], a[1], a[2], 0.01f, 0.9f, 0.99f, 0.1f, 0.01f, 0.1f, f, t));
            return ks.stream().map(k -> DynamicTest.dynamicTest("F32 " + bits + " kernel " + ks.indexOf(k), () -> {
                float[][] whole = arrays32(), split = arrays32();
                k.run(whole, 0, N);
                for (int c = 0; c + 1 < CUTS.length; c++) k.run(split, CUTS[c], CUTS[c + 1]);
                for (int i = 0; i < whole.length; i++) assertArrayEquals(whole[i], split[i], "array " + i);
            }));
        });
    }

    @TestFactory Stream<DynamicTest> f64TailsEqualLanes() {
        return widths().stream().flatMap(bits -> {
            VectorSpecies<Double> s = bits == 128 ? DoubleVector.SPECIES_128 : DoubleVector.SPECIES_256;
            List<Kernel64> ks = List.of(
                    (a, f, t) -> FusedF64.sgd(s, a[0], a[1], 0.1, f, t),
                    (a, f, t) -> FusedF64.momentum(s, a[0], a[1], a[2], 0.1, 0.9, false, f, t),
                    (a, f, t) -> FusedF64.adamw(s, a[0], a[1], a[2], a[3], 0.01, 0.9, 0.999, 0.1, 0.001, 1e-8, 1e-8, 0.1, 0.3, 0.2, f, t),
                    (a, f, t) -> FusedF64.nadamw(s, a[0], a[1], a[2], a[3], 0.01, 0.9, 0.999, 0.1, 0.001, 1e-8, 0.1, 0.01, false, f, t),
                    (a, f, t) -> FusedF64.rmsprop(s, a[0], a[1], a[2], a[3], a[4], 0.01, 0.9, 0.1, 1e-8, true, 0.5, false, f, t),
                    (a, f, t) -> FusedF64.lion(s, a[0], a[1], a[2], 0.01, 0.9, 0.99, 0.1, 0.01, 0.1, f, t));
            return ks.stream().map(k -> DynamicTest.dynamicTest("F64 " + bits + " kernel " + ks.indexOf(k), () -> {
                double[][] whole = arrays64(), split = arrays64();
                k.run(whole, 0, N);
                for (int c = 0; c + 1 < CUTS.length; c++) k.run(split, CUTS[c], CUTS[c + 1]);
                for (int i = 0; i < whole.length; i++) assertArrayEquals(whole[i], split[i], "array " + i);
            }));
        });
    }

    /** Statistics sum in a different order per split: equal to rounding; the transform and count exactly. */
    @TestFactory Stream<DynamicTest> gradStatsTails() {
        return widths().stream().map(bits -> DynamicTest.dynamicTest("gradStats " + bits, () -> {
            VectorSpecies<Float> s = bits == 128 ? FloatVector.SPECIES_128 : FloatVector.SPECIES_256;
            float[][] whole = arrays32(), split = arrays32();
            for (float[][] a : List.of(whole, split)) { a[1][3] = Float.NaN; a[1][200] = Float.NEGATIVE_INFINITY; a[1][100] = 40; }
            double[] w = new double[2], sp = new double[2];
            FusedF32.gradStats(s, whole[0], whole[1], 0.1f, 2f, true, 0, N, w);
            for (int c = 0; c + 1 < CUTS.length; c++) FusedF32.gradStats(s, split[0], split[1], 0.1f, 2f, true, CUTS[c], CUTS[c + 1], sp);
            assertArrayEquals(whole[1], split[1]);
            assertEquals(2, w[1], "two non-finite elements");
            assertEquals(w[1], sp[1]);
            assertEquals(w[0], sp[0], 1e-5 * w[0]);
            assertEquals(2f, whole[1][100], "clipped to 2");
            assertEquals(0.1f * whole[0][3], whole[1][3], "NaN zeroed, then decayed");
        }));
    }

    static float[][] arrays32() {
        Random r = new Random(5);
        float[][] a = new float[5][N];
        for (float[] x : a) for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < N; i++) { a[3][i] = Math.abs(a[3][i]); a[2][i] *= 0.1f; }
        return a;
    }

    static double[][] arrays64() {
        Random r = new Random(5);
        double[][] a = new double[5][N];
        for (double[] x : a) for (int i = 0; i < N; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < N; i++) { a[3][i] = Math.abs(a[3][i]); a[2][i] *= 0.1; }
        return a;
    }
}
