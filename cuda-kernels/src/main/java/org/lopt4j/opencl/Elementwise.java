package org.lopt4j.opencl;

import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches the kernels of elementwise.cl (unary, binary) and move.cl (where, fill, copy): operands are merged into one
 * {@link StridedLayout} (shared with the CUDA backend) and walked by a grid-stride loop. The argument lists follow the
 * kernels' parameters in order.
 */
final class Elementwise {
    private Elementwise() {}

    static void unary(OpenClBackend b, Op.Unary op, Tensor out, Tensor x) {
        sameDtype(op, out, x);
        StridedLayout l = StridedLayout.of(out, x);
        b.launch(ClProgram.ELEMENTWISE, out.dtype(), "elementwise_unary", b.gridStride(l.count()), new KernelArgs()
                .mem(b.mem(out)).mem(b.mem(x)).struct(l.dims()).struct(l.view(0)).struct(l.view(1)).i64(l.count())
                .i32(ClConstants.unary(op)));
    }

    static void binary(OpenClBackend b, Op.Binary op, Tensor out, Tensor x, Tensor y) {
        sameDtype(op, out, x, y);
        StridedLayout l = StridedLayout.of(out, x, y);
        b.launch(ClProgram.ELEMENTWISE, out.dtype(), "elementwise_binary", b.gridStride(l.count()), new KernelArgs()
                .mem(b.mem(out)).mem(b.mem(x)).mem(b.mem(y)).struct(l.dims()).struct(l.view(0)).struct(l.view(1))
                .struct(l.view(2)).i64(l.count()).i32(ClConstants.binary(op)));
    }

    static void where(OpenClBackend b, Tensor out, Tensor cond, Tensor x, Tensor y) {
        sameDtype(new Op.Where(), out, x, y);
        StridedLayout l = StridedLayout.of(out, cond, x, y);
        b.launch(ClProgram.MOVE, null, "where_" + bits(out.dtype()), b.gridStride(l.count()), new KernelArgs()
                .mem(b.mem(out)).mem(b.mem(cond)).mem(b.mem(x)).mem(b.mem(y)).struct(l.dims()).struct(l.view(0))
                .struct(l.view(1)).struct(l.view(2)).struct(l.view(3)).i64(l.count()).i32(ClConstants.dtype(cond.dtype())));
    }

    static void fill(OpenClBackend b, Tensor out, double value) {
        StridedLayout l = StridedLayout.of(out);
        KernelArgs args = new KernelArgs().mem(b.mem(out)).struct(l.dims()).struct(l.view(0)).i64(l.count());
        switch (out.dtype()) {
            case F32 -> args.i32(Float.floatToRawIntBits((float) value));
            case I32 -> args.i32((int) value);
            case F64 -> args.i64(Double.doubleToRawLongBits(value));
        }
        b.launch(ClProgram.MOVE, null, "fill_" + bits(out.dtype()), b.gridStride(l.count()), args);
    }

    static void copy(OpenClBackend b, Tensor out, Tensor x) {
        StridedLayout l = StridedLayout.of(out, x);
        KernelArgs args = new KernelArgs().mem(b.mem(out)).mem(b.mem(x)).struct(l.dims()).struct(l.view(0))
                .struct(l.view(1)).i64(l.count());
        if (out.dtype() == x.dtype()) {
            b.launch(ClProgram.MOVE, null, "copy_" + bits(out.dtype()), b.gridStride(l.count()), args);
        } else {
            args.i32(ClConstants.dtype(x.dtype())).i32(ClConstants.dtype(out.dtype()));
            b.launch(ClProgram.MOVE, null, "copy_convert", b.gridStride(l.count()), args);
        }
    }

    /** The width of the move kernels for {@code d}: 32 or 64. */
    static int bits(DType d) { return d.byteSize() * 8; }

    private static void sameDtype(Op op, Tensor out, Tensor... in) {
        for (Tensor t : in) {
            if (t.dtype() != out.dtype()) {
                throw new IllegalArgumentException(op + " on opencl: input " + t + " and output " + out + " differ in dtype");
            }
        }
    }
}
