package org.lopt4j.optim;

import org.lopt4j.tensor.Shape;

/**
 * Which two axes Adafactor and the Adafactor-style learned optimizers factor (small_fc_lopt.md §4, the stable rule of
 * base_optimizers.md): none below rank 2; otherwise the axes sorted by size ascending with ties by axis index
 * (stable), d0 = the last (largest), d1 = the one before.
 * Also the index arithmetic that maps an element to its row accumulator (axis d0 removed) and column accumulator
 * (axis d1 removed).
 */
public record FactoredDims(Shape shape, int d0, int d1, int lo0, int span0, int lo1, int span1, int loR, int spanR) {
    /** The factored dims of {@code s}, or null when it is not factored (rank < 2). */
    public static FactoredDims of(Shape s) {
        int n = s.rank();
        if (n < 2) return null;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(s.dim(a), s.dim(b)));
        int d0 = order[n - 1], d1 = order[n - 2];
        int lo0 = inner(s, d0), lo1 = inner(s, d1);
        Shape rs = drop(s, d0);
        int a = d1 > d0 ? d1 - 1 : d1, loR = inner(rs, a);
        return new FactoredDims(s, d0, d1, lo0, lo0 * s.dim(d0), lo1, lo1 * s.dim(d1), loR, loR * rs.dim(a));
    }

    private static int inner(Shape s, int axis) {
        int p = 1;
        for (int i = axis + 1; i < s.rank(); i++) p *= s.dim(i);
        return p;
    }

    /** Element e's index in the row accumulator (shape without d0). */
    public int row(int e) { return e / span0 * lo0 + e % lo0; }

    /** Element e's index in the column accumulator (shape without d1). */
    public int col(int e) { return e / span1 * lo1 + e % lo1; }

    /** Shape without axis {@code a}. */
    public static Shape drop(Shape s, int a) {
        int[] d = s.dims(), o = new int[d.length - 1];
        for (int i = 0, j = 0; i < d.length; i++) if (i != a) o[j++] = d[i];
        return Shape.of(o);
    }

    public Shape rowShape() { return drop(shape, d0); }

    public Shape colShape() { return drop(shape, d1); }

    /** Position of d1 inside the row accumulator. */
    public int d1InRow() { return d1 > d0 ? d1 - 1 : d1; }

    /** Row-accumulator index r → index in the row-col mean (row shape without axis d1'). */
    public int rowMean(int r) { return r / spanR * loR + r % loR; }

    public int rowMeanSize() { return rowShape().numel() / rowShape().dim(d1InRow()); }

    /** Row-accumulator layout of a slab: the row shape of factored tensors, the tensor's own shape (a diagonal) otherwise. */
    public static org.lopt4j.tensor.SlabLayout rowLayout(org.lopt4j.tensor.SlabLayout p) {
        java.util.List<Shape> s = new java.util.ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            FactoredDims f = of(p.shape(i));
            s.add(f == null ? Shape.of(Math.max(1, p.numel(i))) : f.rowShape());
        }
        return org.lopt4j.tensor.SlabLayout.of(p.names(), s);
    }

    /** Column-accumulator layout of a slab: the column shape of factored tensors, empty otherwise. */
    public static org.lopt4j.tensor.SlabLayout colLayout(org.lopt4j.tensor.SlabLayout p) {
        java.util.List<Shape> s = new java.util.ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            FactoredDims f = of(p.shape(i));
            s.add(f == null ? Shape.of(0) : f.colShape());
        }
        return org.lopt4j.tensor.SlabLayout.of(p.names(), s);
    }
}
