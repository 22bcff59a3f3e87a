package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * The chunk-table buffers of a fused call ({@code FusedOps.Chunks}) read on the host: chunk {@code c} of tensor
 * {@code tensor(c)} covers flat elements {@code [begin(c), end(c))}. The twins loop over chunks, then elements, as a
 * CUDA kernel loops over blocks, then threads.
 */
public record ChunkView(int[] tensorOf, int[] startOf, int[] offsets, int[] sizes, int chunk) {
    /** Reads the table's I32 buffers. */
    public static ChunkView of(Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk) {
        return new ChunkView(ints(tensorOf, "tensorOf"), ints(startOf, "startOf"), ints(offsets, "offsets"), ints(sizes, "sizes"), chunk);
    }

    /** Number of chunks. */
    public int count() { return tensorOf.length; }

    /** Number of tensors. */
    public int tensors() { return sizes.length; }

    public int tensor(int c) { return tensorOf[c]; }

    /** First flat element of chunk {@code c}. */
    public int begin(int c) { return offsets[tensorOf[c]] + startOf[c]; }

    /** One past the last flat element of chunk {@code c}. */
    public int end(int c) { return offsets[tensorOf[c]] + (int) Math.min((long) startOf[c] + chunk, sizes[tensorOf[c]]); }

    /** The I32 elements of a CPU tensor (its own array, offset 0). */
    static int[] ints(Tensor t, String role) {
        if (!(t.storage() instanceof CpuStorage c) || c.i32 == null || t.offset() != 0 || c.i32.length != t.numel()) {
            throw new IllegalArgumentException("fused kernel: '" + role + "' must be a whole I32 CPU buffer, got " + t);
        }
        return c.i32;
    }
}
