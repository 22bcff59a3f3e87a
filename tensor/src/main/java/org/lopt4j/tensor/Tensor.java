package org.lopt4j.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A strided view (shape, strides, offset) into a backend's {@link Storage}. Movement operations (reshape, permute,
 * expand, slice) only change strides; arithmetic dispatches one primitive {@link Op} to the backend, eagerly.
 */
public final class Tensor implements TensorLike<Tensor> {
    private final Backend backend;
    private final Storage storage;
    private final Shape shape;
    private final int[] strides;
    private final int offset;

    private Tensor(Backend backend, Storage storage, Shape shape, int[] strides, int offset) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** A new zero-filled contiguous tensor. */
    public static Tensor zeros(Backend b, DType dtype, Shape shape) {
        if (!b.supports(dtype)) throw new IllegalArgumentException(b.name() + " does not support " + dtype);
        return new Tensor(b, b.allocate(dtype, shape.numel()), shape, shape.contiguousStrides(), 0);
    }

    public static Tensor zeros(Backend b, DType dtype, int... dims) { return zeros(b, dtype, Shape.of(dims)); }

    /** A new tensor filled with {@code v}. */
    public static Tensor full(Backend b, DType dtype, Shape shape, double v) {
        Tensor t = zeros(b, dtype, shape);
        if (v != 0) t.fill(v);
        return t;
    }

    /** A new F32 tensor holding a copy of {@code data} (row-major). */
    public static Tensor of(Backend b, float[] data, int... dims) {
        Tensor t = zeros(b, DType.F32, checkedShape(data.length, dims));
        t.storage.write(0, data);
        return t;
    }

    /** A new F64 tensor holding a copy of {@code data} (row-major). */
    public static Tensor of(Backend b, double[] data, int... dims) {
        Tensor t = zeros(b, DType.F64, checkedShape(data.length, dims));
        t.storage.write(0, data);
        return t;
    }

    /** A new I32 tensor holding a copy of {@code data} (row-major). */
    public static Tensor of(Backend b, int[] data, int... dims) {
        Tensor t = zeros(b, DType.I32, checkedShape(data.length, dims));
        t.storage.write(0, data);
        return t;
    }

    /** A view of an existing storage; strides and offset are checked against its length. */
    public static Tensor view(Backend b, Storage s, Shape shape, int[] strides, int offset) {
        if (strides.length != shape.rank()) throw new IllegalArgumentException("strides rank != shape rank");
        long lo = offset, hi = offset;
        for (int i = 0; i < strides.length; i++) {
            if (shape.dims()[i] == 0) return new Tensor(b, s, shape, strides.clone(), offset);
            long ext = (long) strides[i] * (shape.dims()[i] - 1);
            if (ext < 0) lo += ext; else hi += ext;
        }
        if (lo < 0 || hi >= s.length()) {
            throw new IllegalArgumentException("view " + shape + " strides " + Arrays.toString(strides) + " offset "
                    + offset + " leaves storage of length " + s.length());
        }
        return new Tensor(b, s, shape, strides.clone(), offset);
    }

    /** Counter-based random numbers: the same key gives the same numbers on every backend. */
    public static Tensor random(Backend b, DType dtype, Shape shape, RandomKey key, Op.Dist dist) {
        Tensor t = zeros(b, dtype, shape);
        b.execute(new Op.Random(key, dist), t);
        return t;
    }

    private static Shape checkedShape(int n, int[] dims) {
        Shape s = dims.length == 0 && n != 1 ? Shape.of(n) : Shape.of(dims);
        if (s.numel() != n) throw new IllegalArgumentException(n + " values do not fill shape " + s);
        return s;
    }

    // ---------------------------------------------------------------- accessors

    public Backend backend() { return backend; }
    public Storage storage() { return storage; }
    @Override public Shape shape() { return shape; }
    @Override public DType dtype() { return storage.dtype(); }
    public int[] strides() { return strides.clone(); }
    public int offset() { return offset; }
    public int numel() { return shape.numel(); }
    @Override public Tensor value() { return this; }
    @Override public Tensor constant(Tensor t) { return t; }
    @Override public Tensor detach() { return this; }

    /** Stride of axis {@code i} (no copy). */
    public int stride(int i) { return strides[shape.axis(i)]; }

    /** Whether elements are laid out row-major without gaps starting at {@link #offset()}. */
    public boolean isContiguous() {
        int expect = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            int d = shape.dims()[i];
            if (d != 1 && strides[i] != expect) return false;
            expect *= d;
        }
        return true;
    }

    // ---------------------------------------------------------------- movement (views)

    @Override public Tensor reshape(int... dims) {
        int[] d = dims.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) { if (infer >= 0) throw new IllegalArgumentException("two -1 in reshape"); infer = i; }
            else known *= d[i];
        }
        if (infer >= 0) d[infer] = known == 0 ? 0 : numel() / known;
        Shape s = Shape.of(d);
        if (s.numel() != numel()) throw new IllegalArgumentException("cannot reshape " + shape + " to " + s);
        Tensor src = isContiguous() ? this : contiguous();
        return new Tensor(backend, src.storage, s, s.contiguousStrides(), src.offset);
    }

    @Override public Tensor permute(int... axes) {
        if (axes.length != shape.rank()) throw new IllegalArgumentException("permute needs " + shape.rank() + " axes");
        int[] d = new int[axes.length], s = new int[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = shape.axis(axes[i]);
            if (seen[a]) throw new IllegalArgumentException("axis repeated in permute " + Arrays.toString(axes));
            seen[a] = true;
            d[i] = shape.dims()[a];
            s[i] = strides[a];
        }
        return new Tensor(backend, storage, Shape.of(d), s, offset);
    }

    @Override public Tensor expand(Shape target) {
        int r = target.rank(), lead = r - shape.rank();
        if (lead < 0) throw new IllegalArgumentException("cannot expand " + shape + " to " + target);
        int[] s = new int[r];
        for (int i = 0; i < r; i++) {
            if (i < lead) { s[i] = 0; continue; }
            int d = shape.dims()[i - lead];
            if (d == target.dims()[i]) s[i] = strides[i - lead];
            else if (d == 1) s[i] = 0;
            else throw new IllegalArgumentException("cannot expand " + shape + " to " + target);
        }
        return new Tensor(backend, storage, target, s, offset);
    }

    @Override public Tensor slice(int axis, int start, int end, int step) {
        int a = shape.axis(axis), n = shape.dims()[a];
        if (step <= 0 || start < 0 || end > n || start > end) {
            throw new IllegalArgumentException("slice [" + start + ":" + end + ":" + step + "] of axis " + a + " in " + shape);
        }
        int len = (end - start + step - 1) / step;
        int[] s = strides.clone();
        s[a] = strides[a] * step;
        return new Tensor(backend, storage, shape.with(a, len), s, offset + (len == 0 ? 0 : start * strides[a]));
    }

    /** A contiguous copy, or this tensor when already contiguous. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = zeros(backend, dtype(), shape);
        backend.execute(new Op.Copy(), out, this);
        return out;
    }

    @Override public Tensor pad(int[] before, int[] after) {
        int[] d = shape.dims();
        int[] nd = d.clone();
        for (int i = 0; i < d.length; i++) nd[i] = d[i] + before[i] + after[i];
        Tensor out = zeros(backend, dtype(), Shape.of(nd));
        Tensor inner = out;
        for (int i = 0; i < d.length; i++) inner = inner.slice(i, before[i], before[i] + d[i], 1);
        inner.assign(this);
        return out;
    }

    @Override public Tensor cat(int axis, List<Tensor> rest) {
        int a = shape.axis(axis), total = dim(a);
        for (Tensor t : rest) {
            checkSameBackend(t);
            if (t.rank() != rank() || !t.shape.with(a, dim(a)).equals(shape) || t.dtype() != dtype()) {
                throw new IllegalArgumentException("cat along axis " + a + ": " + shape + " and " + t.shape);
            }
            total += t.dim(a);
        }
        Tensor out = zeros(backend, dtype(), shape.with(a, total));
        int at = 0;
        for (int i = -1; i < rest.size(); i++) {
            Tensor t = i < 0 ? this : rest.get(i);
            out.slice(a, at, at + t.dim(a), 1).assign(t);
            at += t.dim(a);
        }
        return out;
    }

    // ---------------------------------------------------------------- writes into this tensor (in place)

    /** Copies {@code src} (broadcast to this shape, converting dtype) into this tensor or view; returns this. */
    public Tensor assign(Tensor src) {
        checkSameBackend(src);
        backend.execute(new Op.Copy(), this, src.broadcastTo(shape));
        return this;
    }

    /** Sets every element to {@code v}; returns this. */
    public Tensor fill(double v) {
        backend.execute(new Op.Fill(v), this);
        return this;
    }

    /** {@code this = op(this, o)} in place, {@code o} broadcast to this shape; returns this. */
    public Tensor applyInPlace(Op.Binary op, Tensor o) {
        checkSameBackend(o);
        backend.execute(op, this, this, o.broadcastTo(shape));
        return this;
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor unary(Op.Unary op) {
        Tensor out = zeros(backend, dtype(), shape);
        backend.execute(op, out, this);
        return out;
    }

    private Tensor binary(Op.Binary op, Tensor o) {
        checkSameBackend(o);
        if (o.dtype() != dtype()) throw new IllegalArgumentException(op + ": dtypes " + dtype() + " and " + o.dtype());
        Shape s = Shape.broadcast(shape, o.shape);
        Tensor out = zeros(backend, dtype(), s);
        backend.execute(op, out, broadcastTo(s), o.broadcastTo(s));
        return out;
    }

    @Override public Tensor add(Tensor o) { return binary(Op.Binary.ADD, o); }
    @Override public Tensor sub(Tensor o) { return binary(Op.Binary.SUB, o); }
    @Override public Tensor mul(Tensor o) { return binary(Op.Binary.MUL, o); }
    @Override public Tensor div(Tensor o) { return binary(Op.Binary.DIV, o); }
    @Override public Tensor maximum(Tensor o) { return binary(Op.Binary.MAX, o); }
    @Override public Tensor minimum(Tensor o) { return binary(Op.Binary.MIN, o); }
    @Override public Tensor lt(Tensor o) { return binary(Op.Binary.CMPLT, o); }
    @Override public Tensor eq(Tensor o) { return binary(Op.Binary.CMPEQ, o); }
    @Override public Tensor neg() { return unary(Op.Unary.NEG); }
    @Override public Tensor recip() { return unary(Op.Unary.RECIP); }
    @Override public Tensor exp() { return unary(Op.Unary.EXP); }
    @Override public Tensor log() { return unary(Op.Unary.LOG); }
    @Override public Tensor sqrt() { return unary(Op.Unary.SQRT); }
    @Override public Tensor tanh() { return unary(Op.Unary.TANH); }
    @Override public Tensor abs() { return unary(Op.Unary.ABS); }
    @Override public Tensor sign() { return unary(Op.Unary.SIGN); }

    @Override public Tensor where(Tensor a, Tensor b) {
        checkSameBackend(a);
        checkSameBackend(b);
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException("where: dtypes " + a.dtype() + " and " + b.dtype());
        Shape s = Shape.broadcast(Shape.broadcast(shape, a.shape), b.shape);
        Tensor out = zeros(backend, a.dtype(), s);
        backend.execute(new Op.Where(), out, broadcastTo(s), a.broadcastTo(s), b.broadcastTo(s));
        return out;
    }

    // ---------------------------------------------------------------- reductions, matmul, gather

    private Tensor reduce(Op.Reduce op, int... axes) {
        int[] d = shape.dims();
        for (int a : axes) d[shape.axis(a)] = 1;
        Tensor out = zeros(backend, dtype(), Shape.of(d));
        backend.execute(op, out, this);
        return out;
    }

    @Override public Tensor sumKeep(int... axes) { return reduce(Op.Reduce.SUM, axes); }
    @Override public Tensor maxKeep(int... axes) { return reduce(Op.Reduce.MAX, axes); }

    @Override public Tensor matmul(Tensor o) {
        checkSameBackend(o);
        if (rank() < 2 || o.rank() < 2) throw new IllegalArgumentException("matmul needs rank >= 2: " + shape + " @ " + o.shape);
        if (o.dtype() != dtype()) throw new IllegalArgumentException("matmul: dtypes " + dtype() + " and " + o.dtype());
        int m = dim(-2), k = dim(-1), n = o.dim(-1);
        if (o.dim(-2) != k) throw new IllegalArgumentException("matmul: inner dimensions differ in " + shape + " @ " + o.shape);
        Shape batch = Shape.broadcast(batchOf(shape), batchOf(o.shape));
        Tensor a = expand(append(batch, m, k)), b = o.expand(append(batch, k, n));
        Tensor out = zeros(backend, dtype(), append(batch, m, n));
        backend.execute(Op.MatMul.NN, out, a, b);
        return out;
    }

    private static Shape batchOf(Shape s) { return Shape.of(Arrays.copyOf(s.dims(), s.rank() - 2)); }

    private static Shape append(Shape batch, int x, int y) {
        int[] d = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[d.length - 2] = x;
        d[d.length - 1] = y;
        return Shape.of(d);
    }

    @Override public Tensor gather(Tensor indices) {
        checkSameBackend(indices);
        if (rank() < 1) throw new IllegalArgumentException("gather needs a table of rank >= 1");
        Tensor idx = indices.reshape(-1);
        int[] rest = Arrays.copyOfRange(shape.dims(), 1, rank());
        int[] od = new int[rest.length + 1];
        od[0] = idx.numel();
        System.arraycopy(rest, 0, od, 1, rest.length);
        Tensor out = zeros(backend, dtype(), Shape.of(od));
        backend.execute(new Op.Gather(), out, this, idx);
        int[] fd = new int[indices.rank() + rest.length];
        System.arraycopy(indices.shape.dims(), 0, fd, 0, indices.rank());
        System.arraycopy(rest, 0, fd, indices.rank(), rest.length);
        return out.reshape(fd);
    }

    // ---------------------------------------------------------------- conversion and host access

    /** A copy in another dtype (or this tensor when it already has it). */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = zeros(backend, dtype, shape);
        backend.execute(new Op.Copy(), out, this);
        return out;
    }

    /** A copy on another backend, through host memory (or this tensor when it is already there). */
    public Tensor to(Backend target) {
        if (target == backend) return this;
        return switch (dtype()) {
            case F32 -> of(target, toFloatArray(), shape.dims());
            case F64 -> of(target, toDoubleArray(), shape.dims());
            case I32 -> of(target, toIntArray(), shape.dims());
        };
    }

    /** The elements, row-major, as float (converting from F64 or I32). */
    public float[] toFloatArray() {
        Tensor c = to(DType.F32).contiguous();
        float[] a = new float[numel()];
        c.storage.read(c.offset, a);
        return a;
    }

    /** The elements, row-major, as double (converting from F32 or I32). */
    public double[] toDoubleArray() {
        if (!backend.supports(DType.F64)) {
            float[] f = toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }
        Tensor c = to(DType.F64).contiguous();
        double[] a = new double[numel()];
        c.storage.read(c.offset, a);
        return a;
    }

    /** The elements, row-major, as int (truncating floats). */
    public int[] toIntArray() {
        Tensor c = to(DType.I32).contiguous();
        int[] a = new int[numel()];
        c.storage.read(c.offset, a);
        return a;
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() of a tensor with shape " + shape);
        return toDoubleArray()[0];
    }

    private void checkSameBackend(Tensor o) {
        if (o.backend != backend) {
            throw new IllegalArgumentException("tensors on different backends: " + backend.name() + " and " + o.backend.name());
        }
    }

    @Override public String toString() {
        return "Tensor" + shape + " " + dtype() + " on " + backend.name();
    }
}
