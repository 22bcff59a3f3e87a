package org.lopt4j.learned.mlp;

import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The read-only tables MLPLOpt's passes read, built once per parameter layout (an optimizer's {@code init}) on the
 * parameters' backend: the slab's chunk table and each tensor's first chunk, the layer widths and the six fixed
 * decays then 1 − each. Shared by copies of a state.
 */
public record MlpLoptTables(SlabLayout layout, Backend backend, int members, FusedOps.Chunks chunks, Tensor firstChunk, Tensor widths,
                            Tensor decays) {
    /** The tables of {@code layout} on {@code backend} for {@code members} members and layer widths {@code widths}. */
    public static MlpLoptTables of(SlabLayout layout, Backend backend, int members, int[] widths) {
        if (layout.count() % members != 0) throw new IllegalArgumentException(layout.count() + " tensors do not split into " + members + " members");
        FusedOps.Chunks chunks = FusedOps.Chunks.of(layout, backend);
        int k = MlpLopt.DECAYS.length;
        float[] dec = new float[2 * k];
        for (int i = 0; i < k; i++) {
            dec[i] = MlpLopt.DECAYS[i];
            dec[k + i] = (float) (1 - (double) MlpLopt.DECAYS[i]);
        }
        return new MlpLoptTables(layout, backend, members, chunks, FactoredTables.firstChunks(layout, chunks.chunk(), backend),
                Tensor.of(backend, widths, widths.length), Tensor.of(backend, dec, dec.length));
    }

    /** Tensors per member. */
    public int perMember() { return Math.max(1, layout.count() / members); }

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
