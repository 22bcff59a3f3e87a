package org.lopt4j.learned.smallfc;

import static org.lopt4j.tensor.LearnedOps.FactoredArgs.*;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.learned.UpdateCounts;
import org.lopt4j.learned.Workspace;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The read-only tables the accumulator passes of small_fc_lopt and VeLO read, built once per parameter layout (an
 * optimizer's {@code init}) on the parameters' backend: the per-tensor info rows ({@link LearnedOps.FactoredArgs}'s
 * fields, learned_rule.cuh's SFL_*), the slab's chunk table and each tensor's first chunk, and the chunk tables of
 * the factored tensors' row and column accumulators and row means. Shared by copies of a state; the CPU kernels read
 * the layout itself.
 */
public record FactoredTables(SlabLayout layout, Backend backend, int members, Tensor info, FusedOps.Chunks chunks, Tensor firstChunk,
                             Tensor rowTensorOf, Tensor rowStartOf, Tensor colTensorOf, Tensor colStartOf,
                             Tensor meanTensorOf, Tensor meanStartOf, int meanTotal) {
    /** Entries per chunk of the accumulator tables. */
    public static final int AUX_CHUNK = 4096;

    /** The tables of {@code layout} on {@code backend} for {@code members} members (tensor t is member t / (tensors / members)). */
    public static FactoredTables of(SlabLayout layout, Backend backend, int members) {
        int count = layout.count();
        if (count % members != 0) throw new IllegalArgumentException(count + " tensors do not split into " + members + " members");
        int perMember = count / members;
        SlabLayout rl = FactoredDims.rowLayout(layout), cl = FactoredDims.colLayout(layout);
        int[] table = new int[count * FIELDS];
        List<Shape> rows = new ArrayList<>(), cols = new ArrayList<>(), means = new ArrayList<>();
        int mean = 0;
        for (int t = 0; t < count; t++) {
            int at = t * FIELDS;
            FactoredDims f = FactoredDims.of(layout.shape(t));
            table[at + MEMBER] = t / perMember;
            table[at + ROW_OFFSET] = rl.offset(t);
            table[at + COL_OFFSET] = cl.offset(t);
            for (int d : layout.shape(t).dims()) if (d > 1) table[at + BIG_DIMS]++;
            if (f == null) {
                rows.add(Shape.of(0));
                cols.add(Shape.of(0));
                means.add(Shape.of(0));
                continue;
            }
            Shape s = layout.shape(t);
            table[at + FACTORED] = 1;
            table[at + MEAN_OFFSET] = mean;
            table[at + LO0] = f.lo0();
            table[at + SPAN0] = f.span0();
            table[at + LO1] = f.lo1();
            table[at + SPAN1] = f.span1();
            table[at + LOR] = f.loR();
            table[at + SPANR] = f.spanR();
            table[at + N0] = s.dim(f.d0());
            table[at + N1] = s.dim(f.d1());
            table[at + ROWS] = f.rowShape().numel();
            table[at + COLS] = f.colShape().numel();
            table[at + MEANS] = f.rowMeanSize();
            rows.add(Shape.of(f.rowShape().numel()));
            cols.add(Shape.of(f.colShape().numel()));
            means.add(Shape.of(f.rowMeanSize()));
            mean += f.rowMeanSize();
        }
        FusedOps.Chunks chunks = FusedOps.Chunks.of(layout, backend);
        ChunkTable rt = SlabLayout.of(layout.names(), rows).chunks(AUX_CHUNK), ct = SlabLayout.of(layout.names(), cols).chunks(AUX_CHUNK);
        ChunkTable mt = SlabLayout.of(layout.names(), means).chunks(AUX_CHUNK);
        return new FactoredTables(layout, backend, members, ints(backend, table), chunks, firstChunks(layout, chunks.chunk(), backend),
                ints(backend, rt.tensorOf()), ints(backend, rt.startOf()), ints(backend, ct.tensorOf()), ints(backend, ct.startOf()),
                ints(backend, mt.tensorOf()), ints(backend, mt.startOf()), mean);
    }

    /** Each tensor's first entry in the chunk table of {@code layout} (tensors + 1 ints; the last is the entry count). */
    public static Tensor firstChunks(SlabLayout layout, int chunk, Backend backend) {
        ChunkTable ct = layout.chunks(chunk);
        int[] first = new int[layout.count() + 1];
        for (int t = 0, c = 0; t <= layout.count(); t++) {
            while (c < ct.size() && ct.tensorOf(c) < t) c++;
            first[t] = c;
        }
        return ints(backend, first);
    }

    /** Checks that {@code params} has the layout and backend these tables were built for. */
    public void check(Slab params) {
        if (!params.layout().equals(layout)) {
            throw new IllegalArgumentException("parameter slab " + params.layout().names() + " is not the layout this optimizer state was made for " + layout.names());
        }
        if (!params.backend().device().equals(backend.device())) {
            throw new IllegalArgumentException("parameters are on " + params.backend().name() + ", this optimizer state on " + backend.name());
        }
    }

    /**
     * The kernels' argument record over these tables for one step: {@code rowMean} is 3 × meanTotal floats of scratch,
     * {@code count} the update counts ({@link UpdateCounts}), {@code w} holds the step's gradient statistics and the
     * skip count, {@code skipNonFinite} says whether the policy skips steps with non-finite gradients.
     */
    public LearnedOps.FactoredArgs args(Slab params, Slab grads, Accumulators a, Tensor decays, Tensor rowMean, Slab count, Workspace w,
                                        int skipNonFinite) {
        FusedOps.Chunks c = chunks;
        return new LearnedOps.FactoredArgs(layout, params.flat(), grads.flat(), a.m0().flat(), a.m1().flat(), a.m2().flat(), a.v().flat(),
                a.r0().flat(), a.r1().flat(), a.r2().flat(), a.c0().flat(), a.c1().flat(), a.c2().flat(), decays, info,
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), rowTensorOf, rowStartOf, colTensorOf, colStartOf,
                meanTensorOf, meanStartOf, AUX_CHUNK, firstChunk, rowMean, meanTotal, count.flat(), UpdateCounts.stride(count),
                w.gradStats(), skipNonFinite, w.skips());
    }

    private static Tensor ints(Backend b, int[] a) { return Tensor.of(b, a, a.length); }
}
