package org.lopt4j.tensor;

import java.util.Arrays;

/** An immutable list of dimension sizes; row-major, the last axis varies fastest. */
public record Shape(int[] dims) {

    public Shape {
        dims = dims.clone();
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
    }

    public static Shape of(int... dims) { return new Shape(dims); }

    public static final Shape SCALAR = new Shape(new int[0]);

    @Override public int[] dims() { return dims.clone(); }

    public int rank() { return dims.length; }

    /** Size of axis {@code i}; negative axes count from the end. */
    public int dim(int i) { return dims[axis(i)]; }

    /** Normalises a possibly negative axis index and checks it. */
    public int axis(int i) {
        int a = i < 0 ? i + dims.length : i;
        if (a < 0 || a >= dims.length) throw new IllegalArgumentException("axis " + i + " out of range for " + this);
        return a;
    }

    /** Number of elements; overflow is an error, not a wrap. */
    public int numel() {
        long n = 1;
        for (int d : dims) n = Math.multiplyExact(n, (long) d);
        return Math.toIntExact(n);
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public int[] contiguousStrides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc = Math.multiplyExact(acc, Math.max(dims[i], 1));
        }
        return s;
    }

    /** The numpy broadcast of two shapes, or an exception naming both. */
    public static Shape broadcast(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** This shape with axis {@code i} replaced by {@code size}. */
    public Shape with(int i, int size) {
        int[] d = dims.clone();
        d[axis(i)] = size;
        return new Shape(d);
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() { return Arrays.toString(dims); }
}
