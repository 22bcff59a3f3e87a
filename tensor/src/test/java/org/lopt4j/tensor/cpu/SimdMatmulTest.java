package org.lopt4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** The packed GEMM, the few-rows pass and the row kernels against the scalar reference over edge-heavy shapes (run at each vector width). */
class SimdMatmulTest {
    /** F32 dot products of length k reassociate: error below k·eps·sum|a·b| (inputs in [-1, 1]). */
    static double tolerance(int k) { return 2 * k * Math.ulp(1f); }

    static Tensor rand(int seed, int... dims) {
        return Tensor.random(ScalarBackend.INSTANCE, DType.F32, Shape.of(dims), RandomKey.of(seed), Op.Dist.UNIFORM)
                .mul(Tensor.full(ScalarBackend.INSTANCE, DType.F32, Shape.SCALAR, 2))
                .sub(Tensor.full(ScalarBackend.INSTANCE, DType.F32, Shape.SCALAR, 1));
    }

    @Test
    void packedGemmMatchesReference() {
        SimdBackend b = SimdBackend.INSTANCE;
        int bits = b.bits();
        int[][] mnk = {{1, 1, 40000}, {7, 13, 500}, {33, 65, 257}, {97, 31, 300}, {257, 129, 65}, {6, 32, 256}, {200, 4100, 3}, {4, 1100, 40}, {8, 515, 70}, {5, 260, 33}, {3, 64, 200}};
        int seed = 1;
        for (int[] s : mnk) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = rand(seed++, ta ? new int[] {s[2], s[0]} : new int[] {s[0], s[2]});
                    Tensor c = rand(seed++, tb ? new int[] {s[1], s[2]} : new int[] {s[2], s[1]});
                    Tensor ref = Tensor.zeros(ScalarBackend.INSTANCE, DType.F32, Shape.of(s[0], s[1]));
                    ScalarBackend.INSTANCE.execute(new Op.MatMul(ta, tb), ref, a, c);
                    Tensor got = Tensor.zeros(b, DType.F32, Shape.of(s[0], s[1]));
                    b.execute(new Op.MatMul(ta, tb), got, a.to(b), c.to(b));
                    assertClose(ref, got, tolerance(s[2]), java.util.Arrays.toString(s) + " ta=" + ta + " tb=" + tb + " bits=" + bits);
                }
            }
        }
    }

    @Test
    void batchedBroadcastAndStridedOutput() {
        SimdBackend b = SimdBackend.INSTANCE;
        Tensor a = rand(90, 3, 70, 50), c = rand(91, 1, 50, 40);
        Tensor ref = a.matmul(c);
        Tensor got = a.to(b).matmul(c.to(b));
        assertClose(ref, got, tolerance(50), "batched broadcast");
        Tensor outT = Tensor.zeros(b, DType.F32, Shape.of(3, 40, 70));
        b.execute(Op.MatMul.NN, outT.mT(), a.to(b), c.to(b).expand(Shape.of(3, 50, 40)));
        assertClose(ref, outT.mT(), tolerance(50), "strided output");
        Tensor sa = rand(92, 2, 4, 300), sc = rand(93, 1, 300, 600);    // few rows: the pass that streams B, batched
        assertClose(sa.matmul(sc), sa.to(b).matmul(sc.to(b)), tolerance(300), "skinny batched");
        Tensor a64 = a.to(DType.F64), c64 = c.to(DType.F64);
        assertClose(a64.matmul(c64), a64.to(b).matmul(c64.to(b)), 1e-12, "F64");
    }

    static void assertClose(Tensor ref, Tensor got, double tol, String what) {
        double[] e = ref.toDoubleArray(), g = got.toDoubleArray();
        assertEquals(e.length, g.length);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], g[i], tol * Math.max(1, Math.abs(e[i])), what + " [" + i + "]");
    }
}
