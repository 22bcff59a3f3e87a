package org.lopt4j.opencl;

import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches random_fill (random.cl) for {@link Op.Random}: Philox draws in the output's row-major element order, F32
 * and F64 (where the device has it), bit-identical to {@link org.lopt4j.tensor.RandomKey#sample}; integer dtypes are
 * refused, as by the reference.
 */
final class RandomFill {
    private RandomFill() {}

    static void fill(OpenClBackend b, Op.Random op, Tensor out) {
        if (!out.dtype().isFloating()) {
            throw new IllegalArgumentException("random " + op.dist() + " needs a floating dtype, not " + out.dtype());
        }
        StridedLayout l = StridedLayout.of(out);
        b.launch(ClProgram.RANDOM, out.dtype(), "random_fill", b.gridStride(l.count()), new KernelArgs().mem(b.mem(out))
                .struct(l.dims()).struct(l.view(0)).i64(l.count()).i32(op.key().k0()).i32(op.key().k1())
                .i32(ClConstants.dist(op.dist())));
    }
}
