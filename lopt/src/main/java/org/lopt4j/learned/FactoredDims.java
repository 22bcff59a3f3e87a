package org.lopt4j.learned;

import org.lopt4j.tensor.Shape;

/**
 * Which two axes an Adafactor-style learned optimizer factors (small_fc_lopt.md §4): none below rank 2; otherwise the
 * axes sorted by size ascending with ties by axis index (stable), d0 = the last (largest), d1 = the one before.
 * Also the index arithmetic that maps an element to its row accumulator (axis d0 removed) and column accumulator
 * (axis d1 removed).
 */
record FactoredDims(Shape shape, int d0, int d1) {
    /** The factored dims of {@code s}, or null when it is not factored (rank < 2). */
    static FactoredDims of(Shape s) {
        int n = s.rank();
        if (n < 2) return null;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(s.dim(a), s.dim(b)));
        return new FactoredDims(s, order[n - 1], order[n - 2]);
    }

    private int inner(int axis) {
        int p = 1;
        for (int i = axis + 1; i < shape.rank(); i++) p *= shape.dim(i);
        return p;
    }

    /** Element e's index in the row accumulator (shape without d0). */
    int row(int e) { int lo = inner(d0); return e / (shape.dim(d0) * lo) * lo + e % lo; }

    /** Element e's index in the column accumulator (shape without d1). */
    int col(int e) { int lo = inner(d1); return e / (shape.dim(d1) * lo) * lo + e % lo; }

    /** Shape without axis {@code a}. */
    static Shape drop(Shape s, int a) {
        int[] d = s.dims(), o = new int[d.length - 1];
        for (int i = 0, j = 0; i < d.length; i++) if (i != a) o[j++] = d[i];
        return Shape.of(o);
    }

    Shape rowShape() { return drop(shape, d0); }

    Shape colShape() { return drop(shape, d1); }

    /** Position of d1 inside the row accumulator. */
    int d1InRow() { return d1 > d0 ? d1 - 1 : d1; }

    /** Row-accumulator index r → index in the row-col mean (row shape without axis d1'). */
    int rowMean(int r) {
        Shape rs = rowShape();
        int a = d1InRow(), lo = 1;
        for (int i = a + 1; i < rs.rank(); i++) lo *= rs.dim(i);
        return r / (rs.dim(a) * lo) * lo + r % lo;
    }

    int rowMeanSize() { return rowShape().numel() / rowShape().dim(d1InRow()); }
}
