package org.lopt4j.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Twin of {@code struct View} in common.cuh: where one operand's elements live, element {@code (i0, ...)} at
 * {@code offset + sum(i_k * s[k])} (elements, 64-bit); strides beyond the rank are zero.
 */
public record View(long offset, long[] s) implements KernelStruct {
    /** sizeof(struct View): a long long offset and MAX_RANK long long strides. */
    static final int BYTES = 8 + 8 * Dims.MAX_RANK;

    public View {
        if (s.length != Dims.MAX_RANK) {
            throw new IllegalArgumentException("View with " + s.length + " strides (kernels take " + Dims.MAX_RANK + ")");
        }
        s = s.clone();
    }

    /** A view with these strides (at most MAX_RANK), padded with zeros. */
    public static View of(long offset, long... strides) {
        if (strides.length > Dims.MAX_RANK) {
            throw new IllegalArgumentException("rank " + strides.length + " exceeds the kernels' " + Dims.MAX_RANK);
        }
        return new View(offset, Arrays.copyOf(strides, Dims.MAX_RANK));
    }

    /** Stride of axis {@code i}. */
    public long stride(int i) { return s[i]; }

    /**
     * Element offset of the row-major element {@code linear} of {@code dims}: the Java twin of
     * {@code offset_of(v, unravel(dims, linear))} in common.cuh.
     */
    public long offsetOf(Dims dims, long linear) {
        long off = offset, l = linear;
        for (int k = dims.rank() - 1; k >= 0; k--) {
            long n = dims.size(k);
            off += (l % n) * s[k];
            l /= n;
        }
        return off;
    }

    @Override public long[] s() { return s.clone(); }

    @Override public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(offset);
        for (long v : s) b.putLong(v);
        return b.array();
    }

    @Override public boolean equals(Object o) { return o instanceof View x && x.offset == offset && Arrays.equals(x.s, s); }
    @Override public int hashCode() { return Long.hashCode(offset) * 31 + Arrays.hashCode(s); }
    @Override public String toString() { return "View(" + offset + ", " + Arrays.toString(s) + ")"; }
}
