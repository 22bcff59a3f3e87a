package org.lopt4j.cuda;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches matmul_sgemm (matmul.cu) for {@link Op.MatMul}: transposition flags become swapped row and column strides,
 * the leading (already broadcast) batch axes of the three operands merge into one batch layout.
 */
final class Matmul {
    private Matmul() {}

    /** matmul_sgemm. */
    record SgemmArgs(CUdeviceptr out, CUdeviceptr a, CUdeviceptr b, Dims batch, View outV, View aV, View bV, long nBatch,
                     int m, int n, int k, long aRs, long aCs, long bRs, long bCs, long oRs, long oCs) {}

    /** The strides and sizes of one matmul, after the flags are applied. */
    record Problem(StridedLayout batch, int m, int n, int k, long aRs, long aCs, long bRs, long bCs, long oRs, long oCs) {
        static Problem of(Op.MatMul op, Tensor out, Tensor a, Tensor b) {
            int r = out.rank();
            if (r < 2 || a.rank() != r || b.rank() != r) {
                throw new IllegalArgumentException("matmul on cuda: ranks of " + a + ", " + b + " -> " + out + " must match and be >= 2");
            }
            int m = out.dim(-2), n = out.dim(-1), k = op.ta() ? a.dim(-2) : a.dim(-1);
            int am = op.ta() ? a.dim(-1) : a.dim(-2), bk = op.tb() ? b.dim(-1) : b.dim(-2), bn = op.tb() ? b.dim(-2) : b.dim(-1);
            if (am != m || bk != k || bn != n) {
                throw new IllegalArgumentException("matmul on cuda: " + a.shape() + (op.ta() ? "^T" : "") + " @ " + b.shape()
                        + (op.tb() ? "^T" : "") + " does not give " + out.shape());
            }
            int[] batchShape = Arrays.copyOf(out.shape().dims(), r - 2);
            for (Tensor t : new Tensor[] {a, b}) {
                if (!Arrays.equals(Arrays.copyOf(t.shape().dims(), r - 2), batchShape)) {
                    throw new IllegalArgumentException("matmul on cuda: batch axes of " + t + " differ from " + out + " (broadcast first)");
                }
            }
            long[] as = StridedLayout.toLong(a.strides()), bs = StridedLayout.toLong(b.strides()), os = StridedLayout.toLong(out.strides());
            StridedLayout batch = StridedLayout.of(batchShape,
                    new long[][] {Arrays.copyOf(os, r - 2), Arrays.copyOf(as, r - 2), Arrays.copyOf(bs, r - 2)},
                    new long[] {out.offset(), a.offset(), b.offset()});
            long aRs = op.ta() ? as[r - 1] : as[r - 2], aCs = op.ta() ? as[r - 2] : as[r - 1];
            long bRs = op.tb() ? bs[r - 1] : bs[r - 2], bCs = op.tb() ? bs[r - 2] : bs[r - 1];
            return new Problem(batch, m, n, k, aRs, aCs, bRs, bCs, os[r - 2], os[r - 1]);
        }

        /** Grid: x over column tiles, y over row tiles, z over batch elements (y and z loop past the limit). */
        LaunchGeometry geometry() {
            long tilesN = Math.ceilDiv(n, KernelConstants.SGEMM_BN), tilesM = Math.ceilDiv(m, KernelConstants.SGEMM_BM);
            return new LaunchGeometry((int) tilesN, (int) Math.min(tilesM, LaunchGeometry.MAX_GRID_YZ),
                    (int) Math.min(batch.count(), LaunchGeometry.MAX_GRID_YZ), KernelConstants.SGEMM_THREADS);
        }
    }

    static void matmul(CudaBackend be, Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {out, a, b}) {
            if (t.dtype() != DType.F32) throw new IllegalArgumentException("matmul on cuda takes F32 only, got " + t);
        }
        Problem p = Problem.of(op, out, a, b);
        if (p.batch().count() == 0) return;
        StridedLayout l = p.batch();
        be.launch(Kernels.MATMUL_SGEMM, p.geometry(), new SgemmArgs(be.ptr(out), be.ptr(a), be.ptr(b), l.dims(), l.view(0),
                l.view(1), l.view(2), l.count(), p.m(), p.n(), p.k(), p.aRs(), p.aCs(), p.bRs(), p.bCs(), p.oRs(), p.oCs()));
    }
}
