package org.lopt4j.opencl;

import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;

/**
 * Launches gather_32 / gather_64 (move.cl) for {@link org.lopt4j.tensor.Op.Gather}, then reads back the first bad
 * index position (if any) and throws the reference backend's {@link IndexOutOfBoundsException}.
 */
final class Gather {
    /** The "no bad index" value of the status word (INT_MAX). */
    static final int NO_BAD_INDEX = Integer.MAX_VALUE;

    private Gather() {}

    static void rows(OpenClBackend b, Tensor out, Tensor table, Tensor index) {
        if (out.dtype() != table.dtype()) throw new IllegalArgumentException("gather on opencl: " + table + " into " + out + " differ in dtype");
        int r = out.rank();
        if (table.rank() != r || index.rank() != 1 || out.dim(0) != index.dim(0)) {
            throw new IllegalArgumentException("gather on opencl: table " + table + ", index " + index + " -> " + out);
        }
        for (int i = 1; i < r; i++) {
            if (out.dim(i) != table.dim(i)) throw new IllegalArgumentException("gather on opencl: rows of " + table + " do not fit " + out);
        }
        long[] idx = new long[r];
        idx[0] = index.stride(0);
        Dims dims = Dims.of(out.shape().dims());
        long n = dims.count();
        OpenClStorage status = new OpenClStorage(b, DType.I32, 1);
        try {
            status.write(0, new int[] {NO_BAD_INDEX});
            b.launch(ClProgram.MOVE, null, "gather_" + Elementwise.bits(out.dtype()), b.gridStride(n), new KernelArgs()
                    .mem(b.mem(out)).mem(b.mem(table)).mem(b.mem(index)).struct(dims)
                    .struct(View.of(out.offset(), StridedLayout.toLong(out.strides())))
                    .struct(View.of(table.offset(), StridedLayout.toLong(table.strides())))
                    .struct(View.of(index.offset(), idx)).i64(n).i32(table.dim(0)).i32(ClConstants.dtype(index.dtype()))
                    .mem(status));
            int[] bad = new int[1];
            status.read(0, bad);
            if (bad[0] != NO_BAD_INDEX) {
                double v = index.slice(0, bad[0], bad[0] + 1, 1).item();
                throw new IndexOutOfBoundsException("gather: index " + v + " at position " + bad[0] + " outside [0, " + table.dim(0) + ")");
            }
        } finally {
            status.release();
        }
    }
}
