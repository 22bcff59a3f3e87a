package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlabLayoutTest {
    /** Sizes around the alignment: empty, scalar, one short, exact, one over, several blocks. */
    private final SlabLayout l = SlabLayout.sorted(Map.of(
            "mlp/~/linear_1/w", Shape.of(32, 10), "mlp/~/linear_0/w", Shape.of(64, 32), "mlp/~/linear_0/b", Shape.of(32),
            "mlp/~/linear_1/b", Shape.of(10), "s", Shape.SCALAR, "e", Shape.of(0, 5), "x15", Shape.of(15), "x17", Shape.of(17)));

    @Test void sortedAlignedTightAndDisjoint() {
        assertEquals(List.of("e", "mlp/~/linear_0/b", "mlp/~/linear_0/w", "mlp/~/linear_1/b", "mlp/~/linear_1/w", "s", "x15", "x17"), l.names());
        long next = 0;
        for (int i = 0; i < l.count(); i++) {
            assertEquals(0, l.offset(i) % SlabLayout.ALIGN, l.names().get(i));
            assertEquals((next + SlabLayout.ALIGN - 1) / SlabLayout.ALIGN * SlabLayout.ALIGN, l.offset(i), "first aligned start after the previous tensor");
            next = l.offset(i) + l.numel(i);
        }
        assertEquals((next + SlabLayout.ALIGN - 1) / SlabLayout.ALIGN * SlabLayout.ALIGN, l.size());
        assertEquals(0 + 32 + 2048 + 10 + 320 + 1 + 15 + 17, l.paramCount());
        assertArrayEquals(new int[] {0, 0, 32, 2080, 2096, 2416, 2432, 2448}, l.offsets());
    }

    @Test void ofKeepsTheGivenOrder() {
        SlabLayout o = SlabLayout.of(List.of("z", "a"), List.of(Shape.of(3), Shape.of(2)));
        assertEquals(List.of("z", "a"), o.names());
        assertArrayEquals(new int[] {0, 16}, o.offsets());
        assertEquals(32, o.size());
        assertEquals(1, o.index("a"));
        assertEquals(Shape.of(2), o.shape(1));
    }

    @Test void offsetsAreCopiedInAndOut() {
        int[] off = {0, 16};
        SlabLayout o = new SlabLayout(List.of("a", "b"), List.of(Shape.of(3), Shape.of(2)), off, 32);
        off[1] = 1;
        o.offsets()[1] = 1;
        assertEquals(16, o.offset(1));
    }

    @Test void badLayoutsAreRejected() {
        List<Shape> two = List.of(Shape.of(4), Shape.of(4));
        assertThrows(IllegalArgumentException.class, () -> SlabLayout.of(List.of("a", "a"), two), "duplicate names");
        assertThrows(IllegalArgumentException.class, () -> SlabLayout.sorted(Map.of()).index("nope"));
        assertThrows(IllegalArgumentException.class, () -> SlabLayout.of(List.of("a", "b"), List.of(Shape.of(1))), "names without shapes");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a", "b"), two, new int[] {0, 0}, 32), "overlap");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a", "b"), two, new int[] {16, 0}, 32), "unsorted");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a", "b"), two, new int[] {0, 32}, 32), "past the end");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a", "b"), two, new int[] {0, 8}, 32), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a"), List.of(Shape.of(4)), new int[] {-16}, 32), "negative");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of(), List.of(), new int[0], -16), "negative size");
        assertThrows(IllegalArgumentException.class, () -> new SlabLayout(List.of("a"), List.of(Shape.of(Integer.MAX_VALUE - 8)), new int[] {16}, 32),
                "an end past 2^31 must not wrap around and pass");
        assertThrows(IllegalArgumentException.class, () -> l.repeat(-1));
    }

    @Test void equalityIsByContent() {
        SlabLayout a = SlabLayout.of(List.of("a"), List.of(Shape.of(3)));
        assertEquals(a, SlabLayout.of(List.of("a"), List.of(Shape.of(3))));
        assertEquals(a.hashCode(), SlabLayout.of(List.of("a"), List.of(Shape.of(3))).hashCode());
        assertNotEquals(a, SlabLayout.of(List.of("a"), List.of(Shape.of(4))));
        assertNotEquals(a, SlabLayout.of(List.of("b"), List.of(Shape.of(3))));
    }

    @Test void repeatIsMemberMajorWithConstantStride() {
        SlabLayout p = l.repeat(3);
        assertEquals(3 * l.count(), p.count());
        assertEquals(3 * l.size(), p.size());
        assertEquals(3 * l.paramCount(), p.paramCount());
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < l.count(); i++) {
                assertEquals("m" + m + "/" + l.names().get(i), p.names().get(m * l.count() + i));
                assertEquals(l.shape(i), p.shape(m * l.count() + i));
                assertEquals(m * l.size() + l.offset(i), p.offset(m * l.count() + i));
            }
        }
        assertEquals(l.offsets().length, l.repeat(1).count());
        assertEquals(0, l.repeat(0).size());
    }

    /** Every element of every tensor is in exactly one chunk, no chunk crosses a tensor, and gaps are in none. */
    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 100, 2048, 4096})
    void chunkTableCoversEveryElementOnce(int chunk) {
        ChunkTable t = l.chunks(chunk);
        assertEquals(chunk, t.chunk());
        int[] seen = new int[l.size()];
        int expectedChunks = 0;
        for (int i = 0; i < l.count(); i++) expectedChunks += (l.numel(i) + chunk - 1) / chunk;
        assertEquals(expectedChunks, t.size(), "no empty chunks");
        for (int c = 0; c < t.size(); c++) {
            int i = t.tensorOf(c), s = t.startOf(c);
            assertTrue(s >= 0 && s < l.numel(i), "chunk " + c + " starts inside its tensor");
            assertEquals(0, s % chunk, "chunk starts are multiples of the chunk size");
            if (c > 0) assertTrue(t.tensorOf(c - 1) < i || (t.tensorOf(c - 1) == i && t.startOf(c - 1) < s), "table in slab order");
            for (int e = s; e < Math.min(s + chunk, l.numel(i)); e++) seen[l.offset(i) + e]++;
        }
        boolean[] inTensor = new boolean[l.size()];
        for (int i = 0; i < l.count(); i++) for (int e = 0; e < l.numel(i); e++) inTensor[l.offset(i) + e] = true;
        for (int k = 0; k < l.size(); k++) assertEquals(inTensor[k] ? 1 : 0, seen[k], "slab element " + k);
        assertThrows(IllegalArgumentException.class, () -> l.chunks(0));
    }

    @Test void chunkStartsNearTwoToThe31DoNotWrap() {
        SlabLayout huge = SlabLayout.of(List.of("h"), List.of(Shape.of(Integer.MAX_VALUE - 15)));   // shapes only, no buffer
        ChunkTable t = huge.chunks(1 << 30);
        assertArrayEquals(new int[] {0, 1 << 30}, t.startOf());
        assertArrayEquals(new int[] {0, 0}, t.tensorOf());
    }

    @Test void chunkTableArraysAreCopies() {
        ChunkTable t = l.chunks(16);
        t.startOf()[0] = 99;
        t.tensorOf()[0] = 99;
        assertEquals(0, t.startOf(0));
        assertThrows(IllegalArgumentException.class, () -> new ChunkTable(new int[2], new int[1], 4));
    }
}
