package org.lopt4j.opencl;

import java.util.Arrays;

/** The NDRange of one launch: global and local sizes per dimension (global a multiple of local), from work sizes. */
record LaunchSize(long[] global, long[] local) {
    LaunchSize {
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("bad NDRange " + Arrays.toString(global) + " / " + Arrays.toString(local));
        }
        for (int i = 0; i < global.length; i++) {
            if (local[i] < 1 || global[i] < local[i] || global[i] % local[i] != 0) {
                throw new IllegalArgumentException("bad NDRange " + Arrays.toString(global) + " / " + Arrays.toString(local));
            }
        }
        global = global.clone();
        local = local.clone();
    }

    /** {@code groups} work-groups of {@code group} work-items in one dimension. */
    static LaunchSize groups(long groups, int group) { return new LaunchSize(new long[] {groups * group}, new long[] {group}); }

    /**
     * A grid-stride launch over {@code work} items: groups of {@code group} work-items, at most {@code maxGroups} of
     * them (the kernel's loop covers the rest).
     */
    static LaunchSize gridStride(long work, int group, long maxGroups) {
        return groups(Math.max(1, Math.min(Math.ceilDiv(work, group), maxGroups)), group);
    }

    int dimensions() { return global.length; }

    @Override public long[] global() { return global.clone(); }

    @Override public long[] local() { return local.clone(); }

    @Override public String toString() { return "global " + Arrays.toString(global) + " local " + Arrays.toString(local); }
}
