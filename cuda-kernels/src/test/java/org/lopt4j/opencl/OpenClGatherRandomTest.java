package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.opencl.ClParity.REF;
import static org.lopt4j.opencl.ClParity.check;
import static org.lopt4j.opencl.ClParity.rand;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** move.cl's gather, random.cl (bit-identical to the CPU), storage and the backend's contract on a real device. */
@Tag("gpu")
class OpenClGatherRandomTest {
    static OpenClBackend cl;

    @BeforeAll static void device() { cl = OpenClSupport.backendOrSkip(); }

    @Test void gatherRowsWithIndicesOfEveryDtype() {
        for (DType td : ClParity.dtypes(true)) {
            Tensor table = rand(td, new int[] {10, 4, 6}, -9, 9);
            for (DType id : ClParity.dtypes(true)) {
                Tensor index = Tensor.of(REF, new int[] {3, 0, 9, 3, 7}, 5).to(id);
                check("gather " + td + " by " + id, td, Shape.of(5, 4, 6), new Tensor[] {table, index}, 0,
                        (b, o, in) -> b.execute(new Op.Gather(), o, in[0], in[1]));
                check("gather rows of a transposed table", td, Shape.of(5, 6, 4), new Tensor[] {table, index}, 0,
                        (b, o, in) -> b.execute(new Op.Gather(), o, in[0].permute(0, 2, 1), in[1]));
            }
        }
        Tensor vector = rand(DType.F32, new int[] {50}, -1, 1);
        Tensor many = rand(DType.F32, new int[] {100_000}, 0, 50).to(DType.I32);
        check("gather from a vector", DType.F32, Shape.of(100_000), new Tensor[] {vector, many}, 0,
                (b, o, in) -> b.execute(new Op.Gather(), o, in[0], in[1]));
    }

    @Test void badIndicesThrowLikeTheReference() {
        Tensor table = rand(DType.F32, new int[] {4, 3}, -1, 1).to(cl);
        for (double[] bad : new double[][] {{0, 4, 1}, {0, -1, 2}, {1.5, 0, 0}}) {
            for (DType id : ClParity.dtypes(false)) {
                Tensor index = Tensor.of(REF, bad, bad.length).to(id).to(cl);
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> table.gather(index));
                assertTrue(e.getMessage().contains("position"), e.getMessage());
                assertThrows(IndexOutOfBoundsException.class, () -> table.to(REF).gather(index.to(REF)), "the reference agrees");
            }
        }
        assertEquals(2, table.gather(Tensor.of(cl, new int[] {1, 3}, 2)).dim(0), "the backend still works");
    }

    @Test void randomIsBitIdenticalToTheCpu() {
        for (DType d : ClParity.dtypes(false)) {
            for (Op.Dist dist : Op.Dist.values()) {
                for (int[] s : new int[][] {{70_001}, {3, 100_003}}) {
                    RandomKey key = RandomKey.of(5).child(s.length);
                    Tensor want = Tensor.random(REF, d, Shape.of(s), key, dist);
                    Tensor got = Tensor.random(cl, d, Shape.of(s), key, dist);
                    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 0, dist + " " + d + " " + Shape.of(s));
                }
                RandomKey key = RandomKey.of(-7);
                check("random " + dist + " " + d + " into a transposed view", d, Shape.of(40, 30), new Tensor[0], 0,
                        (b, o, in) -> b.execute(new Op.Random(key, dist), o.mT()));
                assertThrows(IllegalArgumentException.class, () -> Tensor.random(cl, DType.I32, Shape.of(4), key, dist),
                        "integer draws are refused, as by the reference");
            }
        }
    }

    @Test void storageIsZeroedCheckedAndReleased() {
        Tensor t = Tensor.zeros(cl, DType.F32, Shape.of(1000, 1000));
        assertArrayEquals(new float[1000 * 1000], t.toFloatArray(), "fresh storage is zeroed");
        OpenClStorage s = (OpenClStorage) t.storage();
        s.release();
        assertTrue(s.released());
        assertThrows(IllegalStateException.class, () -> s.read(0, new float[1]), "use after release is an error");
        Tensor empty = Tensor.zeros(cl, DType.F32, Shape.of(0, 3));
        assertEquals(0, empty.toFloatArray().length, "an empty tensor is fine");
        Tensor x = Tensor.of(cl, new float[] {1, 2, 3}, 3);
        assertThrows(IllegalArgumentException.class, () -> x.storage().read(0, new int[3]), "dtype is checked");
        assertThrows(IndexOutOfBoundsException.class, () -> x.storage().read(1, new float[3]), "bounds are checked");
    }

    @Test void contractOfTheBackend() {
        assertSame(cl, Backends.named("opencl"));
        assertEquals(cl.info().fp64(), cl.supports(DType.F64));
        Tensor cpu = Tensor.of(REF, new float[] {1, 2, 3}, 3);
        assertThrows(IllegalArgumentException.class, () -> cl.execute(Op.Unary.NEG, Tensor.zeros(cl, DType.F32, Shape.of(3)), cpu));
        assertThrows(IllegalArgumentException.class, () -> cl.execute(Op.MatMul.NN, Tensor.zeros(cl, DType.I32, Shape.of(2, 2)),
                Tensor.zeros(cl, DType.I32, Shape.of(2, 2)), Tensor.zeros(cl, DType.I32, Shape.of(2, 2))), "I32 matmul is refused");
        assertEquals("opencl:" + cl.info().platform() + "." + cl.info().index(), cl.name());
        assertTrue(OpenClProbe.status().reason().contains(cl.info().name()), OpenClProbe.status().reason());
        assertFalse(cl.info().name().isBlank());
        Tensor y = Tensor.of(cl, new float[] {1, -2, 3}, 3);
        assertArrayEquals(new float[] {-1, 2, -3}, y.neg().toFloatArray(), 0, "a whole Tensor round trip works");
        cl.sync();
    }
}
