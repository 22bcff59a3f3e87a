package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.MatmulProblem;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/** Launches matmul_sgemm (matmul.cu) for {@link Op.MatMul} over a {@link MatmulProblem}. */
final class Matmul {
    private Matmul() {}

    /** matmul_sgemm. */
    record SgemmArgs(CUdeviceptr out, CUdeviceptr a, CUdeviceptr b, Dims batch, View outV, View aV, View bV, long nBatch,
                     int m, int n, int k, long aRs, long aCs, long bRs, long bCs, long oRs, long oCs) {}

    /** Grid: x over column tiles, y over row tiles, z over batch elements (y and z loop past the limit). */
    static LaunchGeometry geometry(MatmulProblem p) {
        long tilesN = Math.ceilDiv(p.n(), KernelConstants.SGEMM_BN), tilesM = Math.ceilDiv(p.m(), KernelConstants.SGEMM_BM);
        return new LaunchGeometry((int) tilesN, (int) Math.min(tilesM, LaunchGeometry.MAX_GRID_YZ),
                (int) Math.min(p.batch().count(), LaunchGeometry.MAX_GRID_YZ), KernelConstants.SGEMM_THREADS);
    }

    static void matmul(CudaBackend be, Op.MatMul op, Tensor out, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {out, a, b}) {
            if (t.dtype() != DType.F32) throw new IllegalArgumentException("matmul on cuda takes F32 only, got " + t);
        }
        MatmulProblem p = MatmulProblem.of("cuda", op, out, a, b);
        if (p.batch().count() == 0) return;
        StridedLayout l = p.batch();
        be.launch(Kernels.MATMUL_SGEMM, geometry(p), new SgemmArgs(be.ptr(out), be.ptr(a), be.ptr(b), l.dims(), l.view(0),
                l.view(1), l.view(2), l.count(), p.m(), p.n(), p.k(), p.aRs(), p.aCs(), p.bRs(), p.bCs(), p.oRs(), p.oCs()));
    }
}
