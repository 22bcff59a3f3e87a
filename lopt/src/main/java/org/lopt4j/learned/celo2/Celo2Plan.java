package org.lopt4j.learned.celo2;

import static org.lopt4j.tensor.LearnedOps.Celo2Args.*;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.learned.smallfc.FactoredTables;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.optim.NewtonSchulzPlan;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.Celo2Args;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * CELO2's device tables over a parameter layout and the scratch of its step, built at {@code init} on a device
 * backend (the CPU twins read the layout): every rank ≥ 2 tensor's blocks (its [rows × cols] matrices over the last
 * two axes, the unit of CELO2's normalization and Newton–Schulz), their chunk table, and the Newton–Schulz plan over
 * the step buffer.
 */
record Celo2Plan(Tensor blocks, int blockCount, Tensor tensorBlock, Tensor blockOf, Tensor blockStart, Tensor step, Tensor partials,
                 Tensor blockScales, Tensor memberScales, Tensor normPartials, NewtonSchulzPlan ns) {
    /** Elements per entry of the blocks' chunk table. */
    static final int BLOCK_CHUNK = 4096;
    /** The CPU backends' plan: nothing (their twins read the layout). */
    static final Celo2Plan CPU = new Celo2Plan(null, 0, null, null, null, null, null, null, null, null, null);

    /** The plan for the layout, backend and members of {@code tables}: {@link #CPU} on a CPU backend. */
    static Celo2Plan of(FactoredTables tables) {
        if (tables.info().storage() instanceof org.lopt4j.tensor.cpu.CpuStorage) return CPU;
        SlabLayout l = tables.layout();
        Backend b = tables.backend();
        List<int[]> blocks = new ArrayList<>();
        List<NewtonSchulzPlan.Matrix> matrices = new ArrayList<>();
        int[] tensorBlock = new int[l.count()];
        List<Integer> blockOf = new ArrayList<>(), blockStart = new ArrayList<>();
        for (int t = 0; t < l.count(); t++) {
            int rank = l.shape(t).rank();
            tensorBlock[t] = rank <= 1 ? -1 : blocks.size();
            if (rank <= 1 || l.numel(t) == 0) continue;
            int rows = l.shape(t).dim(rank - 2), cols = l.shape(t).dim(rank - 1), size = rows * cols;
            for (int local = 0; local < l.numel(t); local += size) {
                int chunks = Math.ceilDiv(size, BLOCK_CHUNK);
                blocks.add(new int[] {l.offset(t) + local, local, rows, cols, t, blockOf.size(), chunks});
                matrices.add(new NewtonSchulzPlan.Matrix(l.offset(t) + local, rows, cols));
                for (int k = 0; k < chunks; k++) {
                    blockOf.add(blocks.size() - 1);
                    blockStart.add(k * BLOCK_CHUNK);
                }
            }
        }
        int[] table = new int[Math.max(1, blocks.size()) * BLOCK_FIELDS];
        for (int k = 0; k < blocks.size(); k++) System.arraycopy(blocks.get(k), 0, table, k * BLOCK_FIELDS, BLOCK_FIELDS);
        int chunks = blockOf.size();
        return new Celo2Plan(ints(b, table), blocks.size(), ints(b, tensorBlock), ints(b, blockOf.stream().mapToInt(Integer::intValue).toArray()),
                ints(b, blockStart.stream().mapToInt(Integer::intValue).toArray()), zeros(b, l.size()), zeros(b, chunks * FEATURES),
                zeros(b, blocks.size() * FEATURES), zeros(b, tables.members()), zeros(b, tables.chunks().tensorOf().numel()),
                NewtonSchulzPlan.of(b, matrices, null));
    }

    /** The pass's arguments for one step of {@code c} at learning rate {@code lr} ({@code adamM} null: ELO-CELO2's shared moments). */
    Celo2Args args(Celo2 c, FactoredArgs a, Tensor theta, int perMember, Tensor adamM, Tensor adamV, double lr) {
        return new Celo2Args(a, theta, c.packedSize(), c.hidden(), perMember, adamM, adamV, blocks, blockCount, tensorBlock, blockOf,
                blockStart, BLOCK_CHUNK, step, partials, blockScales, memberScales, normPartials, c.orthogonalize(),
                ns == null ? null : ns.args(step, NewtonSchulz.EPS), lr, c.weightDecay(), c.adamLrMult() * lr, c.adamWeightDecay(),
                c.clipNorm(), c.gradClipVal(), c.expMult());
    }

    private static Tensor ints(Backend b, int[] a) { return a.length == 0 ? Tensor.of(b, new int[1], 1) : Tensor.of(b, a, a.length); }

    private static Tensor zeros(Backend b, int n) { return Tensor.zeros(b, DType.F32, Math.max(1, n)); }
}
