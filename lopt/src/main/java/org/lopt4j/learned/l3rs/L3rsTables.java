package org.lopt4j.learned.l3rs;

import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The read-only tables L3RS's passes read, built once per parameter layout (an optimizer's {@code init}) on the
 * parameters' backend: the slab's chunk table, each tensor's first chunk and the MLP's layer widths. Shared by copies
 * of a state.
 */
public record L3rsTables(SlabLayout layout, Backend backend, int members, FusedOps.Chunks chunks, Tensor firstChunk, Tensor widths) {
    /** The tables of {@code layout} on {@code backend} for {@code members} members and MLP widths {@code widths}. */
    public static L3rsTables of(SlabLayout layout, Backend backend, int members, int[] widths) {
        if (layout.count() % members != 0) throw new IllegalArgumentException(layout.count() + " tensors do not split into " + members + " members");
        FusedOps.Chunks chunks = FusedOps.Chunks.of(layout, backend);
        return new L3rsTables(layout, backend, members, chunks, FactoredTables.firstChunks(layout, chunks.chunk(), backend),
                Tensor.of(backend, widths, widths.length));
    }

    /** Tensors per member. */
    public int perMember() { return layout.count() / members; }

    /** Number of chunks in the slab's chunk table. */
    public int chunkCount() { return chunks.tensorOf().numel(); }

    /** Checks that {@code params} has the layout and backend these tables were built for. */
    public void check(Slab params) {
        if (!params.layout().equals(layout)) {
            throw new IllegalArgumentException("parameter slab " + params.layout().names() + " is not the layout this optimizer state was made for " + layout.names());
        }
        if (!params.backend().device().equals(backend.device())) {
            throw new IllegalArgumentException("parameters are on " + params.backend().name() + ", this optimizer state on " + backend.name());
        }
    }
}
