package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.Tensor;

/**
 * Iteration plan for an elementwise op over same-shaped strided operands (output first): adjacent axes that are
 * contiguous in every operand are merged, the innermost axis becomes a "row", and rows are visited with an
 * odometer. Work is split into segments (a part of one row, or whole rows) for both cores.
 */
final class RowPlan {
    final int rows, len;
    final int[] inner;          // per operand: stride of the innermost (row) axis
    private final int[] outerDims;
    private final int[][] outerStrides; // [operand][outer axis]
    private final int[] base;   // per operand: storage offset of element 0

    RowPlan(Tensor... ops) {
        int[] dims = ops[0].shape().dims();
        int n = ops.length;
        int[][] st = new int[n][];
        for (int k = 0; k < n; k++) st[k] = ops[k].strides();
        // drop size-1 axes, then merge axes that are contiguous across all operands
        int r = 0;
        int[] d = new int[Math.max(1, dims.length)];
        int[][] s = new int[n][Math.max(1, dims.length)];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) continue;
            boolean merge = r > 0;
            for (int k = 0; k < n && merge; k++) merge = s[k][r - 1] == st[k][i] * dims[i];
            if (merge) {
                d[r - 1] *= dims[i];
                for (int k = 0; k < n; k++) s[k][r - 1] = st[k][i];
            } else {
                d[r] = dims[i];
                for (int k = 0; k < n; k++) s[k][r] = st[k][i];
                r++;
            }
        }
        if (r == 0) { d[0] = dims.length == 0 || ops[0].numel() == 1 ? 1 : 0; for (int k = 0; k < n; k++) s[k][0] = 1; r = 1; }
        if (ops[0].numel() == 0) d[0] = 0;
        len = d[r - 1];
        inner = new int[n];
        for (int k = 0; k < n; k++) inner[k] = s[k][r - 1];
        outerDims = java.util.Arrays.copyOf(d, r - 1);
        outerStrides = new int[n][];
        for (int k = 0; k < n; k++) outerStrides[k] = java.util.Arrays.copyOf(s[k], r - 1);
        int rc = 1;
        for (int x : outerDims) rc *= x;
        rows = len == 0 ? 0 : rc;
        base = new int[n];
        for (int k = 0; k < n; k++) base[k] = ops[k].offset();
    }

    /** Body for {@code count} elements starting at per-operand storage offsets {@code off}. */
    interface Segment { void run(int[] off, int count); }

    /** Visits every element once, in segments, in parallel when large. */
    void forEach(int grain, Segment body) {
        long total = (long) rows * len;
        if (total == 0) return;
        if (rows == 1 || len >= grain) {
            // split each row into pieces
            int pieces = (int) Math.min(Math.max(1, len / Math.max(1, grain)), 64);
            Parallel.forRange(rows * pieces, 1, (from, to) -> {
                int[] off = new int[base.length];
                for (int u = from; u < to; u++) {
                    int row = u / pieces, p = u % pieces;
                    int a = (int) ((long) len * p / pieces), b = (int) ((long) len * (p + 1) / pieces);
                    rowOffsets(row, off);
                    for (int k = 0; k < off.length; k++) off[k] += a * inner[k];
                    body.run(off, b - a);
                }
            });
        } else {
            int rowsPerUnit = Math.max(1, grain / Math.max(1, len));
            Parallel.forRange(rows, rowsPerUnit, (from, to) -> {
                int[] off = new int[base.length];
                for (int row = from; row < to; row++) {
                    rowOffsets(row, off);
                    body.run(off, len);
                }
            });
        }
    }

    private void rowOffsets(int row, int[] off) {
        for (int k = 0; k < off.length; k++) off[k] = base[k];
        for (int i = outerDims.length - 1; i >= 0; i--) {
            int idx = row % outerDims[i];
            row /= outerDims[i];
            for (int k = 0; k < off.length; k++) off[k] += idx * outerStrides[k][i];
        }
    }
}
