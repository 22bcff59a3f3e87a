package org.lopt4j.learned.smallfc;

import java.util.Map;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * small_fc_lopt's per-parameter state, which VeLO shares (small_fc_lopt.md §4–§5): momenta {@code m0..m2} and RMS
 * {@code v} laid out like the parameters; row accumulators {@code r0..r2} (a factored tensor's row shape, an
 * unfactored tensor's own shape: its diagonal accumulator) and column accumulators {@code c0..c2} (empty for
 * unfactored tensors). One tensor per parameter tensor in every slab, so population members can be reset and copied
 * tensor-wise.
 */
public record Accumulators(Slab m0, Slab m1, Slab m2, Slab v, Slab r0, Slab r1, Slab r2, Slab c0, Slab c1, Slab c2) {
    /** Zeroed accumulators for {@code params}. */
    public static Accumulators zeros(Slab params) {
        SlabLayout rl = FactoredDims.rowLayout(params.layout()), cl = FactoredDims.colLayout(params.layout());
        return new Accumulators(params.zerosLike(), params.zerosLike(), params.zerosLike(), params.zerosLike(),
                Slab.zeros(params.backend(), params.dtype(), rl), Slab.zeros(params.backend(), params.dtype(), rl),
                Slab.zeros(params.backend(), params.dtype(), rl), Slab.zeros(params.backend(), params.dtype(), cl),
                Slab.zeros(params.backend(), params.dtype(), cl), Slab.zeros(params.backend(), params.dtype(), cl));
    }

    /** The slabs by their checkpoint names (m0..m2, v, then r_k, c_k interleaved), added to {@code into}. */
    public void putInto(Map<String, Slab> into) {
        into.put("m0", m0);
        into.put("m1", m1);
        into.put("m2", m2);
        into.put("v", v);
        into.put("r0", r0);
        into.put("c0", c0);
        into.put("r1", r1);
        into.put("c1", c1);
        into.put("r2", r2);
        into.put("c2", c2);
    }

    /** New slabs with the same contents. */
    public Accumulators copy() {
        return new Accumulators(m0.copy(), m1.copy(), m2.copy(), v.copy(), r0.copy(), r1.copy(), r2.copy(), c0.copy(), c1.copy(), c2.copy());
    }

    /** Momentum k. */
    public Slab m(int k) { return k == 0 ? m0 : k == 1 ? m1 : m2; }

    /** Row (or diagonal) accumulator k. */
    public Slab r(int k) { return k == 0 ? r0 : k == 1 ? r1 : r2; }

    /** Column accumulator k. */
    public Slab c(int k) { return k == 0 ? c0 : k == 1 ? c1 : c2; }
}
