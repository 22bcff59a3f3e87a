package org.lopt4j.metatrain.outer;

import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.Slab;

/**
 * Member-wise edits of population slabs: every slab of a population state has one tensor per parameter tensor, so
 * member m owns tensors {@code [m·perMember, (m+1)·perMember)} of each.
 */
final class MemberSlabs {
    private MemberSlabs() {}

    /** Checks that every buffer of {@code s} is laid out per parameter tensor, as member-wise edits need. */
    static void checkPerTensor(OptState<?> s, Slab params) {
        for (var e : s.buffers().entrySet()) {
            if (e.getValue().layout().count() != params.layout().count()) {
                throw new IllegalArgumentException("optimizer state buffer '" + e.getKey() + "' has " + e.getValue().layout().count()
                        + " tensors for " + params.layout().count() + " parameter tensors; truncated meta-training needs per-tensor state");
            }
        }
    }

    /** Zeroes member {@code m}'s tensors of {@code s}. */
    static void zero(Slab s, int m, int perMember) {
        for (int t = m * perMember; t < (m + 1) * perMember; t++) s.tensor(t).fill(0);
    }

    /** Copies member {@code from}'s tensors of {@code s} onto member {@code to}'s. */
    static void copy(Slab s, int from, int to, int perMember) {
        for (int k = 0; k < perMember; k++) s.tensor(to * perMember + k).assign(s.tensor(from * perMember + k));
    }

    /** Zeroes member {@code m} in every buffer of {@code st}. */
    static void zero(OptState<?> st, int m, int perMember) {
        for (Slab s : st.buffers().values()) zero(s, m, perMember);
    }

    /** Copies member {@code from} onto member {@code to} in every buffer of {@code st}. */
    static void copy(OptState<?> st, int from, int to, int perMember) {
        for (Slab s : st.buffers().values()) copy(s, from, to, perMember);
    }
}
