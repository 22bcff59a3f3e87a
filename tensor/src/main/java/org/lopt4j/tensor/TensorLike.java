package org.lopt4j.tensor;

/**
 * The operations that composites are written against, implemented by plain {@link Tensor}s and by autodiff
 * variables alike, so that each composite in {@link Nn} is written once and gets gradients for free.
 * Binary operations broadcast their operands (numpy rules).
 */
public interface TensorLike<T extends TensorLike<T>> {
    Shape shape();

    DType dtype();

    /** The value as a plain tensor. */
    Tensor value();

    /** A constant of this kind (no gradient flows into it) holding {@code t}. */
    T constant(Tensor t);

    /** The same value with no gradient flowing back through it. */
    T detach();

    T add(T o);
    T sub(T o);
    T mul(T o);
    T div(T o);
    T maximum(T o);
    T minimum(T o);
    /** 1 where {@code this < o}, else 0; not differentiable. */
    T lt(T o);
    /** 1 where {@code this == o}, else 0; not differentiable. */
    T eq(T o);

    T neg();
    T recip();
    T exp();
    T log();
    T sqrt();
    T tanh();
    T abs();
    T sign();

    /** {@code this != 0 ? a : b}, elementwise with broadcasting. */
    T where(T a, T b);

    /** Sum over {@code axes}, keeping them with size 1. */
    T sumKeep(int... axes);

    /** Maximum over {@code axes}, keeping them with size 1. */
    T maxKeep(int... axes);

    /** Batched matrix product over the last two axes, broadcasting leading axes. */
    T matmul(T o);

    /** Rows {@code indices[i]} of this tensor along axis 0: out shape {@code indices.shape + shape[1:]}. */
    T gather(Tensor indices);

    T reshape(int... dims);
    T permute(int... axes);
    T expand(Shape s);
    /** Elements {@code start, start + step, ...} below {@code end} along {@code axis}. */
    T slice(int axis, int start, int end, int step);
    /** This tensor followed by {@code rest} along {@code axis} (all other axes equal). */
    T cat(int axis, java.util.List<T> rest);

    /** A zero-padded copy: {@code before[i]} and {@code after[i]} zeros on each side of axis i. */
    T pad(int[] before, int[] after);

    // ---- conveniences, defined once from the primitives above ----

    default T scalar(double v) { return constant(Tensor.full(value().backend(), dtype(), Shape.SCALAR, v)); }
    default T add(double v) { return add(scalar(v)); }
    default T sub(double v) { return sub(scalar(v)); }
    default T mul(double v) { return mul(scalar(v)); }
    default T div(double v) { return mul(scalar(1.0 / v)); }
    default T square() { return mul(self()); }
    default int rank() { return shape().rank(); }
    default int dim(int i) { return shape().dim(i); }

    /** Sum over {@code axes}, dropping them. */
    default T sum(int... axes) { return dropAxes(sumKeep(axes), axes); }

    /** Maximum over {@code axes}, dropping them. */
    default T max(int... axes) { return dropAxes(maxKeep(axes), axes); }

    /** Mean over {@code axes}, dropping them. */
    default T mean(int... axes) { return sum(axes).mul(1.0 / countOver(axes)); }

    /** Mean over {@code axes}, keeping them. */
    default T meanKeep(int... axes) { return sumKeep(axes).mul(1.0 / countOver(axes)); }

    /** Sum of all elements, shape []. */
    default T sumAll() { return sum(allAxes()); }

    /** Mean of all elements, shape []. */
    default T meanAll() { return mean(allAxes()); }

    default T transpose(int a, int b) {
        int r = rank();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = i;
        int x = shape().axis(a), y = shape().axis(b);
        p[x] = y;
        p[y] = x;
        return permute(p);
    }

    /** Transposes the last two axes. */
    default T mT() { return transpose(-2, -1); }

    default T unsqueeze(int axis) {
        int r = rank();
        int a = axis < 0 ? axis + r + 1 : axis;
        int[] d = shape().dims();
        int[] n = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) n[i] = i == a ? 1 : d[j++];
        return reshape(n);
    }

    default T broadcastTo(Shape s) { return shape().equals(s) ? self() : expand(s); }

    @SuppressWarnings("unchecked")
    private T self() { return (T) this; }

    private int[] allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    private double countOver(int... axes) {
        double n = 1;
        for (int a : axes) n *= dim(a);
        return n;
    }

    private T dropAxes(T t, int... axes) {
        Shape s = shape();
        boolean[] drop = new boolean[s.rank()];
        for (int a : axes) drop[s.axis(a)] = true;
        int kept = 0;
        for (boolean d : drop) if (!d) kept++;
        int[] n = new int[kept];
        for (int i = 0, j = 0; i < s.rank(); i++) if (!drop[i]) n[j++] = s.dims()[i];
        return t.reshape(n);
    }
}
