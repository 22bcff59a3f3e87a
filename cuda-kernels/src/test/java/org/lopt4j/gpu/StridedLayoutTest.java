package org.lopt4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Merged layouts visit exactly the elements of the original views, in row-major order, for every operand. */
class StridedLayoutTest {
    static final ScalarBackend REF = ScalarBackend.INSTANCE;

    /** Storage offset of row-major element {@code e} of {@code t}, the plain way. */
    static long rowMajorOffset(Tensor t, long e) {
        int[] d = t.shape().dims(), s = t.strides();
        long off = t.offset();
        for (int i = d.length - 1; i >= 0; i--) {
            off += (e % d[i]) * s[i];
            e /= d[i];
        }
        return off;
    }

    static void assertSameWalk(Tensor... ts) {
        StridedLayout l = StridedLayout.of(ts);
        assertEquals(ts[0].numel(), l.count(), "count of " + ts[0]);
        for (int i = 0; i < ts.length; i++) {
            for (long e = 0; e < l.count(); e++) {
                assertEquals(rowMajorOffset(ts[i], e), l.view(i).offsetOf(l.dims(), e), "operand " + i + " element " + e + " of " + ts[i].shape());
            }
        }
    }

    @Test void viewsOfEveryKindWalkLikeTheOriginal() {
        Tensor base = Tensor.zeros(REF, DType.F32, Shape.of(4, 6, 10));
        List<UnaryOperator<Tensor>> views = List.of(
                t -> t,
                t -> t.permute(2, 0, 1),
                t -> t.slice(2, 1, 9, 3),
                t -> t.slice(0, 1, 3, 1).mT(),
                t -> t.slice(1, 2, 3, 1),
                t -> t.reshape(24, 10).slice(0, 0, 24, 2));
        for (UnaryOperator<Tensor> v : views) {
            Tensor x = v.apply(base);
            assertSameWalk(x);
            assertSameWalk(Tensor.zeros(REF, DType.F32, x.shape()), x);
            Tensor row = x.slice(0, 0, 1, 1).expand(x.shape());   // stride-0 broadcast operand
            assertSameWalk(x, row, Tensor.zeros(REF, DType.F32, x.shape()).mT().mT());
        }
    }

    @Test void contiguousOperandsMergeToOneAxis() {
        Tensor a = Tensor.zeros(REF, DType.F32, Shape.of(2, 1, 3, 4, 5));
        StridedLayout l = StridedLayout.of(a, Tensor.zeros(REF, DType.F32, a.shape()));
        assertEquals(1, l.dims().rank());
        assertEquals(120, l.dims().size(0));
        StridedLayout t = StridedLayout.of(a.reshape(6, 20).mT());
        assertEquals(2, t.dims().rank(), "a transpose cannot merge");
    }

    @Test void scalarsAndEmptyShapes() {
        StridedLayout s = StridedLayout.of(Tensor.zeros(REF, DType.F32, Shape.SCALAR));
        assertEquals(0, s.dims().rank());
        assertEquals(1, s.count());
        assertEquals(0, StridedLayout.of(Tensor.zeros(REF, DType.F32, Shape.of(3, 0, 2))).count());
    }

    @Test void rankNineAfterMergingIsRefusedWithTheShape() {
        Tensor nine = Tensor.zeros(REF, DType.F32, Shape.of(2, 2, 2, 2, 2, 2, 2, 2, 2));
        assertEquals(1, StridedLayout.of(nine).dims().rank(), "contiguous rank 9 merges");
        Tensor permuted = nine.permute(8, 7, 6, 5, 4, 3, 2, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StridedLayout.of(permuted));
        assertTrue(e.getMessage().contains("rank 9"), e.getMessage());
    }
}
