package org.lopt4j.gpu;

import java.util.Arrays;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * One batched matmul as the CUDA and OpenCL GEMM kernels take it ({@link Op.MatMul}): transposition flags become
 * swapped row and column strides, and the leading (already broadcast) batch axes of the three operands merge into one
 * batch layout. Checks the shapes and says which backend refused them.
 */
public record MatmulProblem(StridedLayout batch, int m, int n, int k, long aRs, long aCs, long bRs, long bCs, long oRs, long oCs) {
    /** The problem of {@code out = op(a) @ op(b)} on {@code backend} (named in errors). */
    public static MatmulProblem of(String backend, Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        int r = out.rank();
        if (r < 2 || a.rank() != r || b.rank() != r) {
            throw new IllegalArgumentException("matmul on " + backend + ": ranks of " + a + ", " + b + " -> " + out + " must match and be >= 2");
        }
        int m = out.dim(-2), n = out.dim(-1), k = op.ta() ? a.dim(-2) : a.dim(-1);
        int am = op.ta() ? a.dim(-1) : a.dim(-2), bk = op.tb() ? b.dim(-1) : b.dim(-2), bn = op.tb() ? b.dim(-2) : b.dim(-1);
        if (am != m || bk != k || bn != n) {
            throw new IllegalArgumentException("matmul on " + backend + ": " + a.shape() + (op.ta() ? "^T" : "") + " @ " + b.shape()
                    + (op.tb() ? "^T" : "") + " does not give " + out.shape());
        }
        int[] batchShape = Arrays.copyOf(out.shape().dims(), r - 2);
        for (Tensor t : new Tensor[] {a, b}) {
            if (!Arrays.equals(Arrays.copyOf(t.shape().dims(), r - 2), batchShape)) {
                throw new IllegalArgumentException("matmul on " + backend + ": batch axes of " + t + " differ from " + out + " (broadcast first)");
            }
        }
        long[] as = StridedLayout.toLong(a.strides()), bs = StridedLayout.toLong(b.strides()), os = StridedLayout.toLong(out.strides());
        StridedLayout batch = StridedLayout.of(batchShape,
                new long[][] {Arrays.copyOf(os, r - 2), Arrays.copyOf(as, r - 2), Arrays.copyOf(bs, r - 2)},
                new long[] {out.offset(), a.offset(), b.offset()});
        long aRs = op.ta() ? as[r - 1] : as[r - 2], aCs = op.ta() ? as[r - 2] : as[r - 1];
        long bRs = op.tb() ? bs[r - 1] : bs[r - 2], bCs = op.tb() ? bs[r - 2] : bs[r - 1];
        return new MatmulProblem(batch, m, n, k, aRs, aCs, bRs, bCs, os[r - 2], os[r - 1]);
    }
}
