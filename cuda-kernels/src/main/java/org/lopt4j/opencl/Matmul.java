package org.lopt4j.opencl;

import java.util.Arrays;
import org.lopt4j.cuda.StridedLayout;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches matmul_gemm (matmul.cl) for {@link Op.MatMul}, F32 and F64: transposition flags become swapped row and
 * column strides, the leading (already broadcast) batch axes of the three operands merge into one batch layout.
 */
final class Matmul {
    /** Most work-groups along NDRange dimensions 1 and 2 (the kernel loops over the rest). */
    static final int MAX_GROUPS_YZ = 65_535;

    private Matmul() {}

    /** The strides and sizes of one matmul, after the flags are applied. */
    record Problem(StridedLayout batch, int m, int n, int k, long aRs, long aCs, long bRs, long bCs, long oRs, long oCs) {
        static Problem of(Op.MatMul op, Tensor out, Tensor a, Tensor b) {
            int r = out.rank();
            if (r < 2 || a.rank() != r || b.rank() != r) {
                throw new IllegalArgumentException("matmul on opencl: ranks of " + a + ", " + b + " -> " + out + " must match and be >= 2");
            }
            int m = out.dim(-2), n = out.dim(-1), k = op.ta() ? a.dim(-2) : a.dim(-1);
            int am = op.ta() ? a.dim(-1) : a.dim(-2), bk = op.tb() ? b.dim(-1) : b.dim(-2), bn = op.tb() ? b.dim(-2) : b.dim(-1);
            if (am != m || bk != k || bn != n) {
                throw new IllegalArgumentException("matmul on opencl: " + a.shape() + (op.ta() ? "^T" : "") + " @ " + b.shape()
                        + (op.tb() ? "^T" : "") + " does not give " + out.shape());
            }
            int[] batchShape = Arrays.copyOf(out.shape().dims(), r - 2);
            for (Tensor t : new Tensor[] {a, b}) {
                if (!Arrays.equals(Arrays.copyOf(t.shape().dims(), r - 2), batchShape)) {
                    throw new IllegalArgumentException("matmul on opencl: batch axes of " + t + " differ from " + out + " (broadcast first)");
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

        /** NDRange: dimension 0 over column tiles, 1 over row tiles, 2 over batch elements (1 and 2 loop past the cap). */
        LaunchSize size() {
            long tilesN = Math.ceilDiv(n, ClConstants.GEMM_BN), tilesM = Math.ceilDiv(m, ClConstants.GEMM_BM);
            long gy = Math.max(1, Math.min(tilesM, MAX_GROUPS_YZ)), gz = Math.max(1, Math.min(batch.count(), MAX_GROUPS_YZ));
            return new LaunchSize(new long[] {Math.max(1, tilesN) * ClConstants.GEMM_THREADS, gy, gz},
                    new long[] {ClConstants.GEMM_THREADS, 1, 1});
        }
    }

    static void matmul(OpenClBackend be, Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {out, a, b}) {
            if (t.dtype() != out.dtype() || t.dtype() == DType.I32) {
                throw new IllegalArgumentException("matmul on opencl takes F32 or F64 operands of one dtype, got " + t);
            }
        }
        if (be.info().maxWorkGroupSize() < ClConstants.GEMM_THREADS) {
            throw new IllegalStateException("matmul on " + be.name() + " needs work-groups of " + ClConstants.GEMM_THREADS
                    + ", the device allows " + be.info().maxWorkGroupSize());
        }
        Problem p = Problem.of(op, out, a, b);
        if (p.batch().count() == 0 || p.m() == 0 || p.n() == 0) return;
        StridedLayout l = p.batch();
        be.launch(ClProgram.MATMUL, out.dtype(), "matmul_gemm", p.size(), new KernelArgs().mem(be.mem(out)).mem(be.mem(a))
                .mem(be.mem(b)).struct(l.dims()).struct(l.view(0)).struct(l.view(1)).struct(l.view(2)).i64(l.count())
                .i32(p.m()).i32(p.n()).i32(p.k()).i64(p.aRs()).i64(p.aCs()).i64(p.bRs()).i64(p.bCs()).i64(p.oRs()).i64(p.oCs()));
    }
}
