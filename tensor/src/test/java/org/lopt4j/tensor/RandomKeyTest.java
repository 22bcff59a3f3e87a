package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.SimdBackend;

/** Philox known answers, key derivation, the element-numbering contract and permutations. */
class RandomKeyTest {
    /** Correlation tolerance: 4 standard errors of a sample correlation of independent streams. */
    static final double CORRELATION_SIGMAS = 4;
    /** Chi-square 0.1% critical value for 9 degrees of freedom. */
    static final double CHI2_9_DOF_0_1_PERCENT = 27.877;

    /** Random123's kat_vectors for philox4x32_10: key (k0, k1), counter (c0..c3), output words. */
    @Test void philoxKnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, RandomKey.philox(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                RandomKey.philox(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                new RandomKey(0xa4093822, 0x299f31d0).block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344));
    }

    @Test void elementsUseTheirOwnCounter() {
        RandomKey k = RandomKey.of(0x1234_5678_9ABCL);
        assertEquals(0x1234_5678_9ABCL, ((long) k.k1() << 32) | (k.k0() & 0xFFFFFFFFL), "of(seed) keeps all 64 bits");
        long i = (5L << 32) + 17;   // a counter above 2^32 uses its high word
        int[] w = k.block(17, 5, 0, 0);
        assertEquals((w[0] >>> 8) * 0x1p-24f, k.sample(Op.Dist.UNIFORM, DType.F32, i));
        assertNotEquals(k.sample(Op.Dist.UNIFORM, DType.F32, 17), k.sample(Op.Dist.UNIFORM, DType.F32, i));
        RandomKey same = RandomKey.of(0x1234_5678_9ABCL);
        assertEquals(k.sample(Op.Dist.NORMAL, DType.F64, i), same.sample(Op.Dist.NORMAL, DType.F64, i));
    }

    @Test void keysAreDeterministicAndIndependent() {
        RandomKey k = RandomKey.of(42);
        assertEquals(k.child(3), RandomKey.of(42).child(3));
        assertEquals(k.fold(3), RandomKey.of(42).fold(3));
        assertNotEquals(k.child(3), k.child(4));
        assertNotEquals(k.child(3), k.fold(3));
        assertNotEquals(k.fold(3), k.fold(3L << 32), "fold uses the high word");
        assertArrayEquals(new RandomKey[] {k.child(0), k.child(1), k.child(2)}, k.split(3));
        assertEquals(1000, Arrays.stream(k.split(1000)).distinct().count());
        RandomKey[][] pairs = {{k.child(1), k.child(2)}, {k, k.child(0)}, {k.child(7), k.fold(7)}, {k.fold(1), k.fold(2)}};
        int n = 50_000;
        for (RandomKey[] p : pairs) {
            double a = 0, b = 0, ab = 0, lag = 0;
            for (int i = 0; i < n; i++) {
                double x = p[0].sample(Op.Dist.NORMAL, DType.F64, i), y = p[1].sample(Op.Dist.NORMAL, DType.F64, i);
                a += x * x; b += y * y; ab += x * y;
                lag += x * p[0].sample(Op.Dist.NORMAL, DType.F64, i + 1);
            }
            double tol = CORRELATION_SIGMAS / Math.sqrt(n);
            assertTrue(Math.abs(ab / Math.sqrt(a * b)) < tol, p[0] + " and " + p[1] + " streams uncorrelated");
            assertTrue(Math.abs(lag / a) < tol, p[0] + " successive elements uncorrelated");
        }
    }

    @Test void tensorsFollowRowMajorElementNumbers() {
        RandomKey k = RandomKey.of(7);
        for (Op.Dist dist : Op.Dist.values()) {
            for (Backend b : new Backend[] {ScalarBackend.INSTANCE, SimdBackend.INSTANCE}) {
                float[] v = Tensor.random(b, DType.F32, Shape.of(3, 4, 5), k, dist).toFloatArray();
                for (int e = 0; e < v.length; e++) {
                    assertEquals((float) k.sample(dist, DType.F32, e), v[e], 0f, b + " " + dist + " F32 " + e);
                }
                double[] d = Tensor.random(b, DType.F64, Shape.of(7, 9), k, dist).toDoubleArray();
                for (int e = 0; e < d.length; e++) {
                    assertEquals(k.sample(dist, DType.F64, e), d[e], 0.0, b + " " + dist + " F64 " + e);
                }
            }
        }
    }

    @Test void permutationIsAUniformPermutation() {
        RandomKey k = RandomKey.of(9);
        int[] p = k.permutation(1000);
        assertArrayEquals(IntStream.range(0, 1000).toArray(), Arrays.stream(p).sorted().toArray());
        assertArrayEquals(p, RandomKey.of(9).permutation(1000));
        assertArrayEquals(new int[0], k.permutation(0));
        assertArrayEquals(new int[] {0}, k.permutation(1));
        assertThrows(IllegalArgumentException.class, () -> k.permutation(-1));
        int n = 10, trials = 20_000;
        int[] first = new int[n], last = new int[n];
        for (int t = 0; t < trials; t++) {
            int[] q = k.child(t).permutation(n);
            first[q[0]]++;
            last[q[n - 1]]++;
        }
        assertTrue(chiSquare(first) < CHI2_9_DOF_0_1_PERCENT, "first position chi-square " + chiSquare(first));
        assertTrue(chiSquare(last) < CHI2_9_DOF_0_1_PERCENT, "last position chi-square " + chiSquare(last));
    }

    /** The merge sort against the definition run through a boxed comparator sort. */
    @Test void permutationMatchesItsDefinition() {
        for (int n : new int[] {2, 3, 17, 1000, 4097}) {
            RandomKey k = RandomKey.of(n);
            long[] key = new long[n];
            for (int i = 0; i < n; i++) {
                int[] w = k.block(i, 0, 0, 0x5045524D);
                key[i] = ((long) w[0] << 32) | (w[1] & 0xFFFFFFFFL);
            }
            int[] want = IntStream.range(0, n).boxed().sorted((a, b) -> {
                int c = Long.compareUnsigned(key[a], key[b]);
                return c != 0 ? c : Integer.compare(a, b);
            }).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, k.permutation(n), "n = " + n);
        }
    }

    private static double chiSquare(int[] counts) {
        double total = Arrays.stream(counts).sum(), e = total / counts.length, chi2 = 0;
        for (int c : counts) chi2 += (c - e) * (c - e) / e;
        return chi2;
    }
}
