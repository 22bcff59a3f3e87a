package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.SimdBackend;

class SlabTest {
    private final Backend b = ScalarBackend.INSTANCE;
    private final SlabLayout l = SlabLayout.sorted(Map.of("w", Shape.of(3, 2), "b", Shape.of(5), "s", Shape.SCALAR, "e", Shape.of(0)));

    @Test void viewsWriteThroughToTheFlatBufferAtTheirOffsets() {
        Slab s = Slab.zeros(b, DType.F32, l);
        s.tensor("w").assign(Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        s.tensor("b").fill(7);
        s.tensor("s").fill(-1);
        float[] flat = s.flat().toFloatArray();
        float[] want = new float[l.size()];
        for (int k = 0; k < 6; k++) want[l.offset(l.index("w")) + k] = k + 1;
        for (int k = 0; k < 5; k++) want[l.offset(l.index("b")) + k] = 7;
        want[l.offset(l.index("s"))] = -1;
        assertArrayEquals(want, flat, "every value at its offset, gaps still zero");
        assertEquals(Shape.of(3, 2), s.tensor("w").shape());
        assertEquals(Shape.of(0), s.tensor("e").shape());
        assertSame(s.flat().storage(), s.tensor(2).storage(), "a view, not a copy");
    }

    @Test void flatWritesAreSeenByTheViews() {
        Slab s = Slab.zeros(b, DType.F64, l);
        s.flat().fill(2);
        assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, s.tensor("w").toDoubleArray());
        s.tensor("w").slice(0, 1, 2, 1).fill(0);
        assertArrayEquals(new double[] {2, 2, 0, 0, 2, 2}, s.tensor("w").toDoubleArray());
    }

    @Test void copiesAreDeepAndZerosLikeKeepsEverything() {
        Slab s = Slab.zeros(SimdBackend.INSTANCE, DType.F32, l);
        s.tensor("b").fill(3);
        Slab c = s.copy();
        s.tensor("b").fill(5);
        assertArrayEquals(new float[] {3, 3, 3, 3, 3}, c.tensor("b").toFloatArray());
        Slab z = s.zerosLike();
        assertEquals(l, z.layout());
        assertEquals(DType.F32, z.dtype());
        assertSame(SimdBackend.INSTANCE, z.backend());
        assertArrayEquals(new float[l.size()], z.flat().toFloatArray());
    }

    @Test void theFlatBufferMustFitTheLayout() {
        assertThrows(IllegalArgumentException.class, () -> new Slab(l, Tensor.zeros(b, DType.F32, l.size() + 1)), "size");
        assertThrows(IllegalArgumentException.class, () -> new Slab(l, Tensor.zeros(b, DType.F32, 1, l.size())), "rank");
        Tensor strided = Tensor.zeros(b, DType.F32, 2 * l.size()).slice(0, 0, 2 * l.size(), 2);
        assertThrows(IllegalArgumentException.class, () -> new Slab(l, strided), "contiguous");
        assertThrows(IllegalArgumentException.class, () -> Slab.zeros(b, DType.F32, l).tensor("missing"));
    }

    @Test void aSlabOverAnOffsetBufferViewsFromThatOffset() {
        Tensor big = Tensor.zeros(b, DType.F32, l.size() + 16);
        Slab s = new Slab(l, big.slice(0, 16, 16 + l.size(), 1));
        s.tensor("s").fill(9);
        assertEquals(9f, big.toFloatArray()[16 + l.offset(l.index("s"))]);
        assertEquals(List.of(9f), List.of(s.tensor("s").toFloatArray()[0]));
    }
}
