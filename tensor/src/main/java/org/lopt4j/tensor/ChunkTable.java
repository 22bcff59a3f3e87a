package org.lopt4j.tensor;

/**
 * apex's block → (tensor, chunk) table: chunk {@code c} covers elements {@code [startOf[c], startOf[c] + chunk)} of
 * tensor {@code tensorOf[c]} (clipped to its size). Built once from a {@link SlabLayout}, so a fused kernel over all
 * tensors is one launch (GPU) or one parallel pass (CPU) with no per-launch tensor limit.
 */
public record ChunkTable(int[] tensorOf, int[] startOf, int chunk) {
    public ChunkTable {
        tensorOf = tensorOf.clone();
        startOf = startOf.clone();
        if (tensorOf.length != startOf.length) throw new IllegalArgumentException("table columns differ in length");
    }

    public int size() { return tensorOf.length; }

    @Override public int[] tensorOf() { return tensorOf.clone(); }

    @Override public int[] startOf() { return startOf.clone(); }

    public int tensorOf(int c) { return tensorOf[c]; }

    public int startOf(int c) { return startOf[c]; }
}
