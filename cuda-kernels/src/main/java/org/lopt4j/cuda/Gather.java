package org.lopt4j.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;

/**
 * Launches gather_rows (gather.cu) for {@link org.lopt4j.tensor.Op.Gather}, then reads back the first bad index
 * position (if any) and throws the reference backend's {@link IndexOutOfBoundsException}.
 */
final class Gather {
    /** The "no bad index" value of the status word (INT_MAX). */
    static final int NO_BAD_INDEX = Integer.MAX_VALUE;

    private Gather() {}

    /** gather_rows. */
    record RowsArgs(CUdeviceptr out, CUdeviceptr table, CUdeviceptr index, Dims dims, View outV, View tableV, View indexV,
                    long n, int rows, int indexDtype, CUdeviceptr firstBad) {}

    /** The launch's shape and views: {@code dims} is the output's shape, unmerged (axis 0 is the index position). */
    record Layout(Dims dims, View outV, View tableV, View indexV) {
        static Layout of(Tensor out, Tensor table, Tensor index) {
            int r = out.rank();
            if (table.rank() != r || index.rank() != 1 || out.dim(0) != index.dim(0)) {
                throw new IllegalArgumentException("gather on cuda: table " + table + ", index " + index + " -> " + out);
            }
            for (int i = 1; i < r; i++) {
                if (out.dim(i) != table.dim(i)) throw new IllegalArgumentException("gather on cuda: rows of " + table + " do not fit " + out);
            }
            long[] idx = new long[r];
            idx[0] = index.stride(0);
            return new Layout(Dims.of(out.shape().dims()), View.of(out.offset(), StridedLayout.toLong(out.strides())),
                    View.of(table.offset(), StridedLayout.toLong(table.strides())), View.of(index.offset(), idx));
        }
    }

    static void rows(CudaBackend b, Tensor out, Tensor table, Tensor index) {
        if (out.dtype() != table.dtype()) throw new IllegalArgumentException("gather on cuda: " + table + " into " + out + " differ in dtype");
        KernelConstants.dtype(out.dtype());
        Layout l = Layout.of(out, table, index);
        long n = l.dims().count();
        CudaStorage status = new CudaStorage(b, DType.I32, 1);
        try {
            b.memset32(status.ptr(), NO_BAD_INDEX, 1);
            b.launch(Kernels.GATHER_ROWS, Elementwise.geometry(b, n), new RowsArgs(b.ptr(out), b.ptr(table), b.ptr(index),
                    l.dims(), l.outV(), l.tableV(), l.indexV(), n, table.dim(0), KernelConstants.dtype(index.dtype()), status.ptr()));
            int[] bad = new int[1];
            b.download(Pointer.to(bad), status.ptr(), 4);
            if (bad[0] != NO_BAD_INDEX) {
                double v = index.slice(0, bad[0], bad[0] + 1, 1).item();
                throw new IndexOutOfBoundsException("gather: index " + v + " at position " + bad[0] + " outside [0, " + table.dim(0) + ")");
            }
        } finally {
            status.release();
        }
    }
}
