package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.cpu.ScalarBackend;

class SlabLayoutTest {
    private final SlabLayout l = SlabLayout.sorted(Map.of(
            "mlp/~/linear_1/w", Shape.of(32, 10), "mlp/~/linear_0/w", Shape.of(64, 32),
            "mlp/~/linear_0/b", Shape.of(32), "mlp/~/linear_1/b", Shape.of(10), "s", Shape.SCALAR));

    @Test void sortedAlignedAndDisjoint() {
        assertEquals(List.of("mlp/~/linear_0/b", "mlp/~/linear_0/w", "mlp/~/linear_1/b", "mlp/~/linear_1/w", "s"), l.names());
        for (int i = 0; i < l.count(); i++) {
            assertEquals(0, l.offset(i) % SlabLayout.ALIGN);
            if (i > 0) assertTrue(l.offset(i) >= l.offset(i - 1) + l.numel(i - 1));
        }
        assertEquals(2410 + 1, l.paramCount());
        assertEquals(0, l.size() % SlabLayout.ALIGN);
        assertThrows(IllegalArgumentException.class, () -> SlabLayout.of(List.of("a", "a"), List.of(Shape.of(1), Shape.of(1))));
        assertThrows(IllegalArgumentException.class, () -> l.index("nope"));
    }

    @Test void repeatIsMemberMajorWithConstantStride() {
        SlabLayout p = l.repeat(3);
        assertEquals(3 * l.count(), p.count());
        assertEquals(3 * l.size(), p.size());
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < l.count(); i++) {
                assertEquals("m" + m + "/" + l.names().get(i), p.names().get(m * l.count() + i));
                assertEquals(m * l.size() + l.offset(i), p.offset(m * l.count() + i));
            }
        }
    }

    @Test void chunkTableCoversEveryElementOnce() {
        ChunkTable t = l.chunks(100);
        int[] seen = new int[l.size()];
        for (int c = 0; c < t.size(); c++) {
            int i = t.tensorOf(c), s = t.startOf(c);
            for (int e = s; e < Math.min(s + t.chunk(), l.numel(i)); e++) seen[l.offset(i) + e]++;
        }
        for (int i = 0; i < l.count(); i++) {
            for (int e = 0; e < l.numel(i); e++) assertEquals(1, seen[l.offset(i) + e]);
        }
    }

    @Test void viewsWriteThroughAndCopiesAreDeep() {
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, l);
        s.tensor("mlp/~/linear_1/b").fill(3);
        Slab c = s.copy();
        s.tensor("s").fill(5);
        float[] flat = s.flat().toFloatArray();
        assertEquals(3f, flat[l.offset(l.index("mlp/~/linear_1/b")) + 9]);
        assertEquals(5f, flat[l.offset(l.index("s"))]);
        assertEquals(0f, c.flat().toFloatArray()[l.offset(l.index("s"))]);
        assertArrayEquals(new float[] {3, 3}, c.tensor("mlp/~/linear_1/b").slice(0, 0, 2, 1).toFloatArray());
    }
}
