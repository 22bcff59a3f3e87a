package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.cpu.ScalarBackend;

class RandomKeyTest {
    /** Random123's kat_vectors for philox4x32_10. */
    @Test void philoxKnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, RandomKey.philox(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, RandomKey.philox(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                RandomKey.philox(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344));
    }

    @Test void keysAreDeterministicAndIndependent() {
        RandomKey k = RandomKey.of(42);
        assertEquals(k.child(3), RandomKey.of(42).child(3));
        assertNotEquals(k.child(3), k.child(4));
        assertNotEquals(k.child(3), k.fold(3));
        assertEquals(5, Arrays.stream(k.split(5)).distinct().count());
        double a = 0, b = 0, ab = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            double x = k.child(1).sample(Op.Dist.NORMAL, DType.F64, i), y = k.child(2).sample(Op.Dist.NORMAL, DType.F64, i);
            a += x * x; b += y * y; ab += x * y;
        }
        assertTrue(Math.abs(ab / Math.sqrt(a * b)) < 4 / Math.sqrt(n), "child streams uncorrelated");
    }

    @Test void tensorsFollowRowMajorElementNumbers() {
        RandomKey k = RandomKey.of(7);
        Tensor t = Tensor.random(ScalarBackend.INSTANCE, DType.F32, Shape.of(3, 4), k, Op.Dist.NORMAL);
        float[] v = t.toFloatArray();
        for (int e = 0; e < v.length; e++) assertEquals((float) k.sample(Op.Dist.NORMAL, DType.F32, e), v[e]);
    }

    @Test void permutationIsAUniformPermutation() {
        RandomKey k = RandomKey.of(9);
        int[] p = k.permutation(1000);
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), Arrays.stream(p).sorted().toArray());
        assertArrayEquals(p, RandomKey.of(9).permutation(1000));
        int n = 10, trials = 20_000;
        int[] first = new int[n];
        for (int t = 0; t < trials; t++) first[k.child(t).permutation(n)[0]]++;
        double chi2 = 0, e = trials / (double) n;
        for (int c : first) chi2 += (c - e) * (c - e) / e;
        assertTrue(chi2 < 27.88, "chi-square " + chi2 + " over the 0.1% critical value for 9 degrees of freedom");
    }
}
