package org.lopt4j.metatrain.selftrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * PBT's exploit step (pbt_selftraining.md §3): which slots take a copy of which member. Winner-take-all (as
 * learned_optimization's {@code WinnerTakeAllGenetic}) copies the member with the lowest value into every slot, its
 * own included; truncation copies each of the top fifth (at least one) into the bottom fifth; none never exploits.
 */
public enum Selection {
    WINNER_TAKE_ALL, TRUNCATION, NONE;

    /** {@code winner_take_all}, {@code truncation} or {@code none}. */
    public static Selection parse(String s) {
        for (Selection k : values()) if (k.name().equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown selection '" + s + "'; known: winner_take_all, truncation, none");
    }

    /**
     * For slots with values {@code values} (lower is better): {@code source[i]} is the slot slot i copies, or −1 when
     * slot i keeps its member. Ties go to the lower slot.
     */
    public int[] sources(double[] values) {
        int n = values.length;
        int[] src = new int[n];
        Arrays.fill(src, -1);
        if (this == NONE) return src;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        order.sort(Comparator.<Integer>comparingDouble(i -> Double.isNaN(values[i]) ? Double.POSITIVE_INFINITY : values[i]).thenComparingInt(i -> i));
        if (this == WINNER_TAKE_ALL) {
            Arrays.fill(src, order.get(0));
            return src;
        }
        int k = Math.max(1, n / 5);
        if (2 * k > n) return src;                                         // too few members to have a top and a bottom
        for (int j = 0; j < k; j++) src[order.get(n - 1 - j)] = order.get(j);
        return src;
    }
}
