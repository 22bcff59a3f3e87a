package org.lopt4j.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Twin of {@code struct Dims} in common.cuh: the row-major sizes of a kernel's iteration space, {@code d[rank - 1]}
 * fastest, padded with ones to {@link Dims#MAX_RANK} entries.
 */
public record Dims(int rank, int[] d) implements KernelStruct {
    /** {@code LOPT4J_MAX_RANK} (common.cuh, common.cl): the largest rank a kernel accepts after axes are merged. */
    public static final int MAX_RANK = 8;
    /** sizeof(struct Dims): an int rank and MAX_RANK ints. */
    static final int BYTES = 4 + 4 * Dims.MAX_RANK;

    public Dims {
        if (rank < 0 || rank > Dims.MAX_RANK || d.length != Dims.MAX_RANK) {
            throw new IllegalArgumentException("Dims of rank " + rank + " with " + d.length + " entries (kernels take "
                    + Dims.MAX_RANK + ")");
        }
        d = d.clone();
    }

    /** Dims of the given sizes (at most MAX_RANK of them). */
    public static Dims of(int... sizes) {
        if (sizes.length > Dims.MAX_RANK) {
            throw new IllegalArgumentException("rank " + sizes.length + " exceeds the kernels' " + Dims.MAX_RANK
                    + ": " + Arrays.toString(sizes));
        }
        int[] d = new int[Dims.MAX_RANK];
        Arrays.fill(d, 1);
        System.arraycopy(sizes, 0, d, 0, sizes.length);
        return new Dims(sizes.length, d);
    }

    /** Size of axis {@code i}. */
    public int size(int i) { return d[i]; }

    /** Number of elements (the product of the first {@code rank} sizes). */
    public long count() {
        long n = 1;
        for (int i = 0; i < rank; i++) n *= d[i];
        return n;
    }

    /** The sizes in use. */
    int[] sizes() { return Arrays.copyOf(d, rank); }

    @Override public int[] d() { return d.clone(); }

    @Override public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(rank);
        for (int v : d) b.putInt(v);
        return b.array();
    }

    @Override public boolean equals(Object o) { return o instanceof Dims x && x.rank == rank && Arrays.equals(x.d, d); }
    @Override public int hashCode() { return 31 * rank + Arrays.hashCode(d); }
    @Override public String toString() { return "Dims" + Arrays.toString(sizes()); }
}
