package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;

/**
 * The reference backend: plain loops over strided views, F32, F64 and I32, computing each element in double and
 * rounding once to the output dtype. It is the executable definition of every primitive in {@link Op}; the fast
 * backends are tested against it.
 */
public final class ScalarBackend implements Backend {
    public static final ScalarBackend INSTANCE = new ScalarBackend();

    private ScalarBackend() {}

    @Override public Device device() { return new Device.Cpu(); }
    @Override public String name() { return "scalar"; }
    @Override public Storage allocate(DType dtype, int length) { return new CpuStorage(dtype, length); }
    @Override public boolean supports(DType dtype) { return true; }
    @Override public void sync() {}

    @Override public void execute(Op op, Tensor out, Tensor... in) {
        switch (op) {
            case Op.Unary u -> map(out, in[0], x -> unary(u, x));
            case Op.Binary b -> {
                CpuStorage o = cpu(out), x = cpu(in[0]), y = cpu(in[1]);
                int[] oo = StridedIndex.offsets(out), xo = StridedIndex.offsets(in[0]), yo = StridedIndex.offsets(in[1]);
                for (int e = 0; e < oo.length; e++) o.set(oo[e], binary(b, x.get(xo[e]), y.get(yo[e])));
            }
            case Op.Where w -> {
                CpuStorage o = cpu(out), c = cpu(in[0]), x = cpu(in[1]), y = cpu(in[2]);
                int[] oo = StridedIndex.offsets(out), co = StridedIndex.offsets(in[0]);
                int[] xo = StridedIndex.offsets(in[1]), yo = StridedIndex.offsets(in[2]);
                for (int e = 0; e < oo.length; e++) o.set(oo[e], c.get(co[e]) != 0 ? x.get(xo[e]) : y.get(yo[e]));
            }
            case Op.Reduce r -> reduce(r, out, in[0]);
            case Op.MatMul m -> matmul(m, out, in[0], in[1]);
            case Op.Gather g -> gather(out, in[0], in[1]);
            case Op.Copy c -> map(out, in[0], x -> x);
            case Op.Fill f -> {
                CpuStorage o = cpu(out);
                for (int off : StridedIndex.offsets(out)) o.set(off, f.value());
            }
            case Op.Random r -> {
                CpuStorage o = cpu(out);
                int[] oo = StridedIndex.offsets(out);
                for (int e = 0; e < oo.length; e++) o.set(oo[e], r.key().sample(r.dist(), out.dtype(), e));
            }
        }
    }

    /** The definition of each unary primitive. */
    public static double unary(Op.Unary u, double x) {
        return switch (u) {
            case NEG -> -x;
            case RECIP -> 1.0 / x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
        };
    }

    /** The definition of each binary primitive; MAX and MIN propagate NaN, comparisons with NaN give 0. */
    public static double binary(Op.Binary b, double x, double y) {
        return switch (b) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case CMPLT -> x < y ? 1 : 0;
            case CMPEQ -> x == y ? 1 : 0;
        };
    }

    private interface DoubleOp { double apply(double x); }

    private static void map(Tensor out, Tensor in, DoubleOp f) {
        CpuStorage o = cpu(out), x = cpu(in);
        int[] oo = StridedIndex.offsets(out), xo = StridedIndex.offsets(in);
        if (o.dtype() == DType.F32 && x.dtype() == DType.F32) {
            // exact float path: float -> double is exact, one rounding back
            for (int e = 0; e < oo.length; e++) o.f32[oo[e]] = (float) f.apply(x.f32[xo[e]]);
            return;
        }
        for (int e = 0; e < oo.length; e++) o.set(oo[e], f.apply(x.get(xo[e])));
    }

    private static void reduce(Op.Reduce r, Tensor out, Tensor in) {
        CpuStorage o = cpu(out), x = cpu(in);
        int rank = in.rank();
        int[] id = in.shape().dims(), od = out.shape().dims();
        // sub-tensor of the reduced axes: same strides as `in`, size 1 on kept axes
        int[] rd = new int[rank];
        for (int i = 0; i < rank; i++) rd[i] = od[i] == 1 ? id[i] : 1;
        int[] redOffsets = StridedIndex.offsets(Tensor.view(ScalarBackend.INSTANCE, x, org.lopt4j.tensor.Shape.of(rd),
                in.strides(), in.offset()));
        // the kept part: `in` viewed with the output's shape
        int[] keptStrides = in.strides();
        for (int i = 0; i < rank; i++) if (od[i] == 1) keptStrides[i] = 0;
        int[] oo = StridedIndex.offsets(out);
        int[] ko = StridedIndex.offsets(Tensor.view(ScalarBackend.INSTANCE, x, out.shape(), keptStrides, 0));
        for (int e = 0; e < oo.length; e++) {
            double acc = r == Op.Reduce.SUM ? 0 : Double.NEGATIVE_INFINITY;
            for (int ro : redOffsets) {
                double v = x.get(ro + ko[e]);
                acc = r == Op.Reduce.SUM ? acc + v : Math.max(acc, v);
            }
            o.set(oo[e], acc);
        }
    }

    private static void matmul(Op.MatMul m, Tensor out, Tensor a, Tensor b) {
        Tensor aa = m.ta() ? a.mT() : a, bb = m.tb() ? b.mT() : b;
        int r = out.rank(), mm = out.dim(-2), nn = out.dim(-1), kk = aa.dim(-1);
        int batches = out.numel() / Math.max(1, mm * nn);
        CpuStorage o = cpu(out), x = cpu(aa), y = cpu(bb);
        int[] as = aa.strides(), bs = bb.strides(), os = out.strides();
        int[] bd = out.shape().dims();
        for (int bi = 0; bi < batches; bi++) {
            int ao = aa.offset(), bo = bb.offset(), oo = out.offset();
            for (int i = r - 3, rem = bi; i >= 0; i--) {
                int idx = rem % bd[i];
                rem /= bd[i];
                ao += idx * as[i];
                bo += idx * bs[i];
                oo += idx * os[i];
            }
            for (int i = 0; i < mm; i++) {
                for (int j = 0; j < nn; j++) {
                    double acc = 0;
                    for (int k = 0; k < kk; k++) {
                        acc += x.get(ao + i * as[r - 2] + k * as[r - 1]) * y.get(bo + k * bs[r - 2] + j * bs[r - 1]);
                    }
                    o.set(oo + i * os[r - 2] + j * os[r - 1], acc);
                }
            }
        }
    }

    private static void gather(Tensor out, Tensor table, Tensor index) {
        CpuStorage o = cpu(out), t = cpu(table), ix = cpu(index);
        int rows = table.dim(0);
        int n = index.numel();
        int[] io = StridedIndex.offsets(index);
        for (int i = 0; i < n; i++) {
            double v = ix.get(io[i]);
            int row = (int) v;
            if (row != v || row < 0 || row >= rows) {
                throw new IndexOutOfBoundsException("gather: index " + v + " at position " + i + " outside [0, " + rows + ")");
            }
            Tensor src = table.slice(0, row, row + 1, 1), dst = out.slice(0, i, i + 1, 1);
            int[] so = StridedIndex.offsets(src), dO = StridedIndex.offsets(dst);
            for (int e = 0; e < so.length; e++) o.set(dO[e], t.get(so[e]));
        }
    }

    static CpuStorage cpu(Tensor t) {
        if (t.storage() instanceof CpuStorage c) return c;
        throw new IllegalArgumentException("not a CPU tensor: " + t);
    }
}
