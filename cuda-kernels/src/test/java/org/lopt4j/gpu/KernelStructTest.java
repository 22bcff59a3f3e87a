package org.lopt4j.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The structs' memory images match common.cuh's layout (the PTX declares .b8[36] and .align 8 .b8[72] params). */
class KernelStructTest {
    @Test void dimsIsRankThenEightInts() {
        byte[] b = Dims.of(3, 5, 7).bytes();
        assertEquals(36, b.length);
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, in.getInt());
        int[] d = new int[8];
        for (int i = 0; i < 8; i++) d[i] = in.getInt();
        assertArrayEquals(new int[] {3, 5, 7, 1, 1, 1, 1, 1}, d);
    }

    @Test void viewIsOffsetThenEightLongs() {
        byte[] b = View.of(1L << 40, -4, 1L << 33).bytes();
        assertEquals(72, b.length);
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1L << 40, in.getLong());
        assertEquals(-4, in.getLong());
        assertEquals(1L << 33, in.getLong());
        for (int i = 2; i < 8; i++) assertEquals(0, in.getLong());
    }

    @Test void rankAboveEightIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dims.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertEquals(true, e.getMessage().contains("rank 9"), e.getMessage());
    }

    @Test void offsetTwinWalksRowMajor() {
        Dims d = Dims.of(2, 3);
        View v = View.of(10, 1, 2);   // a transposed 3x2 buffer
        long[] got = new long[6];
        for (int e = 0; e < 6; e++) got[e] = v.offsetOf(d, e);
        assertArrayEquals(new long[] {10, 12, 14, 11, 13, 15}, got);
    }
}
