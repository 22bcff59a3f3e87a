package org.lopt4j.opencl;

import org.lopt4j.gpu.MatmulProblem;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/** Launches matmul_gemm (matmul.cl) for {@link Op.MatMul}, F32 and F64, over a {@link MatmulProblem}. */
final class Matmul {
    /** Most work-groups along NDRange dimensions 1 and 2 (the kernel loops over the rest). */
    static final int MAX_GROUPS_YZ = 65_535;

    private Matmul() {}

    /** NDRange: dimension 0 over column tiles, 1 over row tiles, 2 over batch elements (1 and 2 loop past the cap). */
    static LaunchSize size(MatmulProblem p) {
        long tilesN = Math.ceilDiv(p.n(), ClConstants.GEMM_BN), tilesM = Math.ceilDiv(p.m(), ClConstants.GEMM_BM);
        long gy = Math.max(1, Math.min(tilesM, MAX_GROUPS_YZ)), gz = Math.max(1, Math.min(p.batch().count(), MAX_GROUPS_YZ));
        return new LaunchSize(new long[] {Math.max(1, tilesN) * ClConstants.GEMM_THREADS, gy, gz},
                new long[] {ClConstants.GEMM_THREADS, 1, 1});
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
        MatmulProblem p = MatmulProblem.of("opencl", op, out, a, b);
        if (p.batch().count() == 0 || p.m() == 0 || p.n() == 0) return;
        StridedLayout l = p.batch();
        be.launch(ClProgram.MATMUL, out.dtype(), "matmul_gemm", size(p), new KernelArgs().mem(be.mem(out)).mem(be.mem(a))
                .mem(be.mem(b)).struct(l.dims()).struct(l.view(0)).struct(l.view(1)).struct(l.view(2)).i64(l.count())
                .i32(p.m()).i32(p.n()).i32(p.k()).i64(p.aRs()).i64(p.aCs()).i64(p.bRs()).i64(p.bCs()).i64(p.oRs()).i64(p.oCs()));
    }
}
