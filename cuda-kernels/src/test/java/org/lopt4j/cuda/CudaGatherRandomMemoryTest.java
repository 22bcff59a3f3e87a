package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.cuda.GpuParity.REF;
import static org.lopt4j.cuda.GpuParity.check;
import static org.lopt4j.cuda.GpuParity.rand;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** gather.cu, random.cu (bit-identical to the CPU), device memory and the backend's contract on a real device. */
@Tag("gpu")
class CudaGatherRandomMemoryTest {
    static CudaBackend cuda;

    @BeforeAll static void device() { cuda = GpuSupport.backendOrSkip(); }

    @Test void gatherRowsWithIntAndFloatIndices() {
        for (DType td : new DType[] {DType.F32, DType.I32}) {
            Tensor table = rand(td, new int[] {10, 4, 6}, -9, 9);
            for (DType id : new DType[] {DType.I32, DType.F32}) {
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
        Tensor table = rand(DType.F32, new int[] {4, 3}, -1, 1).to(cuda);
        for (double[] bad : new double[][] {{0, 4, 1}, {0, -1, 2}, {1.5, 0, 0}}) {
            Tensor index = Tensor.of(REF, bad, bad.length).to(DType.F32).to(cuda);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> table.gather(index));
            assertTrue(e.getMessage().contains("position"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> table.to(REF).gather(index.to(REF)), "the reference agrees");
        }
        assertEquals(2, table.gather(Tensor.of(cuda, new int[] {1, 3}, 2)).dim(0), "the backend still works");
    }

    @Test void randomIsBitIdenticalToTheCpu() {
        for (Op.Dist dist : Op.Dist.values()) {
            for (int[] s : new int[][] {{70_001}, {3, 1_000_003}}) {
                RandomKey key = RandomKey.of(5).child(s.length);
                Tensor want = Tensor.random(REF, DType.F32, Shape.of(s), key, dist);
                Tensor got = Tensor.random(cuda, DType.F32, Shape.of(s), key, dist);
                assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 0, dist + " " + Shape.of(s));
            }
            RandomKey key = RandomKey.of(-7);
            check("random " + dist + " into a transposed view", DType.F32, Shape.of(40, 30), new Tensor[0], 0,
                    (b, o, in) -> b.execute(new Op.Random(key, dist), o.mT()));
            assertThrows(IllegalArgumentException.class, () -> Tensor.random(cuda, DType.I32, Shape.of(4), key, dist),
                    "integer draws are refused, as by the reference");
        }
    }

    @Test void memoryIsReusedAndReleased() {
        cuda.sync();
        Tensor t = Tensor.zeros(cuda, DType.F32, Shape.of(1000, 1000));
        assertArrayEquals(new float[1000 * 1000], t.toFloatArray(), "fresh storage is zeroed");
        long inUse = cuda.bytesInUse();
        CudaStorage s = (CudaStorage) t.storage();
        s.release();
        assertTrue(s.released());
        assertEquals(inUse - CudaAllocator.bucket(4_000_000), cuda.bytesInUse());
        assertThrows(IllegalStateException.class, () -> s.read(0, new float[1]), "use after release is an error");
        Tensor again = Tensor.zeros(cuda, DType.F32, Shape.of(999, 1001));
        assertArrayEquals(new float[999 * 1001], again.toFloatArray(), "a reused block is zeroed too");
        ((CudaStorage) again.storage()).release();
        cuda.trimCache();
        assertEquals(0, cuda.bytesCached());
    }

    @Test void outOfMemoryIsAnExceptionAndTheBackendRecovers() {
        List<Tensor> hog = new ArrayList<>();
        int chunk = 1 << 29;   // 2 GiB of F32
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> {
            for (long total = 0; total <= 4 * cuda.info().totalBytes(); total += 4L * chunk) hog.add(Tensor.zeros(cuda, DType.F32, Shape.of(chunk)));
        });
        assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
        assertFalse(hog.isEmpty());
        for (Tensor t : hog) ((CudaStorage) t.storage()).release();
        hog.clear();
        cuda.trimCache();
        Tensor t = Tensor.full(cuda, DType.F32, Shape.of(chunk), 1.5);
        assertEquals(1.5 * chunk, t.sumKeep(0).item(), 1e-3 * chunk, "a large allocation works again");
        ((CudaStorage) t.storage()).release();
    }

    @Test void contractOfTheBackend() {
        assertSame(cuda, Backends.named("cuda"));
        assertFalse(cuda.supports(DType.F64));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(cuda, DType.F64, Shape.of(3)));
        Tensor x = Tensor.of(cuda, new float[] {1, 2, 3}, 3);
        assertThrows(IllegalArgumentException.class, () -> x.storage().read(0, new int[3]), "dtype is checked");
        assertThrows(IndexOutOfBoundsException.class, () -> x.storage().read(1, new float[3]), "bounds are checked");
        Tensor cpu = Tensor.of(REF, new float[] {1, 2, 3}, 3);
        assertThrows(IllegalArgumentException.class, () -> cuda.execute(Op.Unary.NEG, Tensor.zeros(cuda, DType.F32, Shape.of(3)), cpu));
        assertEquals("cuda:" + cuda.info().ordinal(), cuda.name());
        assertTrue(CudaProbe.status().reason().contains(cuda.info().name()), CudaProbe.status().reason());
    }
}
