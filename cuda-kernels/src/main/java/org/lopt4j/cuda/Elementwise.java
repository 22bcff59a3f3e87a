package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches the kernels of elementwise.cu: operands are merged into one {@link StridedLayout} and walked by a
 * grid-stride loop. The records below are the kernels' parameter lists, in order (C snake_case names in camelCase).
 */
final class Elementwise {
    /** Threads per block of the elementwise kernels (any multiple of 32 works; the loop covers the rest). */
    static final int THREADS = 256;
    /** Resident blocks per multiprocessor to aim for; more work is covered by the grid-stride loop. */
    static final int BLOCKS_PER_SM = 32;

    private Elementwise() {}

    /** elementwise_unary. */
    record UnaryArgs(CUdeviceptr out, CUdeviceptr x, Dims dims, View outV, View xV, long n, int op, int dtype) {}

    /** elementwise_binary. */
    record BinaryArgs(CUdeviceptr out, CUdeviceptr x, CUdeviceptr y, Dims dims, View outV, View xV, View yV, long n,
                      int op, int dtype) {}

    /** elementwise_where. */
    record WhereArgs(CUdeviceptr out, CUdeviceptr cond, CUdeviceptr x, CUdeviceptr y, Dims dims, View outV,
                     View condV, View xV, View yV, long n, int condDtype) {}

    /** elementwise_fill. */
    record FillArgs(CUdeviceptr out, Dims dims, View outV, long n, int bits) {}

    /** elementwise_copy. */
    record CopyArgs(CUdeviceptr out, CUdeviceptr x, Dims dims, View outV, View xV, long n, int conversion) {}

    static void unary(CudaBackend b, Op.Unary op, Tensor out, Tensor x) {
        sameDtype(op, out, x);
        StridedLayout l = StridedLayout.of(out, x);
        b.launch(Kernels.ELEMENTWISE_UNARY, geometry(b, l.count()), new UnaryArgs(b.ptr(out), b.ptr(x), l.dims(),
                l.view(0), l.view(1), l.count(), KernelConstants.unary(op), KernelConstants.dtype(out.dtype())));
    }

    static void binary(CudaBackend b, Op.Binary op, Tensor out, Tensor x, Tensor y) {
        sameDtype(op, out, x, y);
        StridedLayout l = StridedLayout.of(out, x, y);
        b.launch(Kernels.ELEMENTWISE_BINARY, geometry(b, l.count()), new BinaryArgs(b.ptr(out), b.ptr(x), b.ptr(y),
                l.dims(), l.view(0), l.view(1), l.view(2), l.count(), KernelConstants.binary(op),
                KernelConstants.dtype(out.dtype())));
    }

    static void where(CudaBackend b, Tensor out, Tensor cond, Tensor x, Tensor y) {
        sameDtype(new Op.Where(), out, x, y);
        StridedLayout l = StridedLayout.of(out, cond, x, y);
        b.launch(Kernels.ELEMENTWISE_WHERE, geometry(b, l.count()), new WhereArgs(b.ptr(out), b.ptr(cond), b.ptr(x),
                b.ptr(y), l.dims(), l.view(0), l.view(1), l.view(2), l.view(3), l.count(),
                KernelConstants.dtype(cond.dtype())));
    }

    static void fill(CudaBackend b, Tensor out, double value) {
        int bits = switch (out.dtype()) {
            case F32 -> Float.floatToRawIntBits((float) value);
            case I32 -> (int) value;
            case F64 -> throw new IllegalArgumentException("fill: F64 is CPU-only");
        };
        StridedLayout l = StridedLayout.of(out);
        b.launch(Kernels.ELEMENTWISE_FILL, geometry(b, l.count()), new FillArgs(b.ptr(out), l.dims(), l.view(0), l.count(), bits));
    }

    static void copy(CudaBackend b, Tensor out, Tensor x) {
        StridedLayout l = StridedLayout.of(out, x);
        b.launch(Kernels.ELEMENTWISE_COPY, geometry(b, l.count()), new CopyArgs(b.ptr(out), b.ptr(x), l.dims(),
                l.view(0), l.view(1), l.count(), KernelConstants.copy(x.dtype(), out.dtype())));
    }

    /** A grid-stride launch over {@code n} elements sized to the device. */
    static LaunchGeometry geometry(CudaBackend b, long n) {
        return LaunchGeometry.gridStride(n, THREADS, (long) b.multiprocessors() * BLOCKS_PER_SM);
    }

    private static void sameDtype(Op op, Tensor out, Tensor... in) {
        for (Tensor t : in) {
            if (t.dtype() != out.dtype()) {
                throw new IllegalArgumentException(op + " on cuda: input " + t + " and output " + out + " differ in dtype");
            }
        }
        KernelConstants.dtype(out.dtype());
    }
}
