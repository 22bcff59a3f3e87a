package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches random_fill (random.cu) for {@link Op.Random}: Philox draws in the output's row-major element order, F32
 * only (F64 draws are CPU-only; integer dtypes are refused, as by the reference).
 */
final class RandomFill {
    private RandomFill() {}

    /** random_fill. */
    record FillArgs(CUdeviceptr out, Dims dims, View outV, long n, int key0, int key1, int dist) {}

    static void fill(CudaBackend b, Op.Random op, Tensor out) {
        if (out.dtype() != DType.F32) {
            throw new IllegalArgumentException("random " + op.dist() + " needs a floating dtype, not " + out.dtype() + " (cuda draws F32)");
        }
        StridedLayout l = StridedLayout.of(out);
        b.launch(Kernels.RANDOM_FILL, Elementwise.geometry(b, l.count()), new FillArgs(b.ptr(out), l.dims(), l.view(0),
                l.count(), op.key().k0(), op.key().k1(), KernelConstants.dist(op.dist())));
    }
}
