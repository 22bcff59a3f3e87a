package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-tiled F32 GEMM (the BLIS/GotoBLAS loop nest): B is packed into {@link #KC}×NR panels, A into
 * MR×KC panels, and a 6×(2 vectors) micro-kernel keeps 12 accumulators in registers. Edges are zero-padded in the
 * packed panels and clipped on store. Work is split over (row block, column panel group) units on both cores.
 */
final class SimdGemmF32 {
    private static final VectorSpecies<Float> S = Species.F32;

    static final int MR = 6, KC = 256, MC = 96, NC = 4096;

    private SimdGemmF32() {}

    /**
     * {@code C[m×n] = A[m×k]·B[k×n]}: A's element (i, p) at {@code a[ao + i·ars + p·acs]}, B's (p, j) at
     * {@code b[bo + p·brs + j·bcs]}, C row-major with row stride {@code ldc} from {@code co}.
     */
    static void gemm(int m, int n, int k, float[] a, int ao, int ars, int acs,
                     float[] b, int bo, int brs, int bcs, float[] c, int co, int ldc) {
        if (k == 0) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, co + i * ldc, co + i * ldc + n, 0f);
            return;
        }
        int nr = 2 * S.length();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panelsN = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] pb = packB(b, bo + pc * brs + jc * bcs, brs, bcs, kc, nc, nr, panelsN);
                boolean first = pc == 0;
                int blocksM = (m + MC - 1) / MC;
                int groups = Math.max(1, Math.min(panelsN, (2 * Parallel.threads() + blocksM - 1) / blocksM));
                int units = blocksM * groups;
                long work = (long) m * nc * kc;
                final int fjc = jc, fpc = pc;
                Parallel.forRange(units, work < (1 << 21) ? units : 1, (from, to) -> {
                    float[] pa = new float[MC * kc];
                    int packed = -1;
                    for (int u = from; u < to; u++) {
                        int blk = u / groups, g = u % groups;
                        int ic = blk * MC, mc = Math.min(MC, m - ic);
                        if (packed != blk) { packA(a, ao + ic * ars + fpc * acs, ars, acs, mc, kc, pa); packed = blk; }
                        int q0 = (int) ((long) panelsN * g / groups), q1 = (int) ((long) panelsN * (g + 1) / groups);
                        for (int q = q0; q < q1; q++) {
                            int cols = Math.min(nr, nc - q * nr);
                            for (int r = 0; r * MR < mc; r++) {
                                int rows = Math.min(MR, mc - r * MR);
                                micro(kc, pa, r * kc * MR, pb, q * kc * nr, c, co + (ic + r * MR) * ldc + fjc + q * nr, ldc, rows, cols, first);
                            }
                        }
                    }
                });
            }
        }
    }

    /** Packs B[kc×nc] into panels of nr columns: panel q, row p at {@code (q·kc + p)·nr}; missing columns are 0. */
    private static float[] packB(float[] b, int bo, int brs, int bcs, int kc, int nc, int nr, int panelsN) {
        float[] pb = new float[panelsN * kc * nr];
        for (int q = 0; q < panelsN; q++) {
            int cols = Math.min(nr, nc - q * nr);
            for (int p = 0; p < kc; p++) {
                int dst = (q * kc + p) * nr, src = bo + p * brs + q * nr * bcs;
                if (bcs == 1) System.arraycopy(b, src, pb, dst, cols);
                else for (int j = 0; j < cols; j++) pb[dst + j] = b[src + j * bcs];
            }
        }
        return pb;
    }

    /** Packs A[mc×kc] into panels of MR rows: panel r, column p at {@code (r·kc + p)·MR}; missing rows are 0. */
    private static void packA(float[] a, int ao, int ars, int acs, int mc, int kc, float[] pa) {
        int panels = (mc + MR - 1) / MR;
        for (int r = 0; r < panels; r++) {
            int rows = Math.min(MR, mc - r * MR);
            int base = r * kc * MR;
            for (int p = 0; p < kc; p++) {
                int dst = base + p * MR, src = ao + r * MR * ars + p * acs;
                int i = 0;
                for (; i < rows; i++) pa[dst + i] = a[src + i * ars];
                for (; i < MR; i++) pa[dst + i] = 0f;
            }
        }
    }

    private static void micro(int kc, float[] pa, int ao, float[] pb, int bo,
                              float[] c, int co, int ldc, int rows, int cols, boolean first) {
        int l = S.length(), nr = 2 * l;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * nr, ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp), b1 = FloatVector.fromArray(S, pb, bp + l);
            FloatVector a0 = FloatVector.broadcast(S, pa[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ap + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ap + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        store(c00, c01, c, co, rows > 0, cols, first);
        store(c10, c11, c, co + ldc, rows > 1, cols, first);
        store(c20, c21, c, co + 2 * ldc, rows > 2, cols, first);
        store(c30, c31, c, co + 3 * ldc, rows > 3, cols, first);
        store(c40, c41, c, co + 4 * ldc, rows > 4, cols, first);
        store(c50, c51, c, co + 5 * ldc, rows > 5, cols, first);
    }

    /** Writes (or adds, after the first k block) one accumulator row of {@code cols} valid columns. */
    private static void store(FloatVector v0, FloatVector v1, float[] c, int row, boolean valid, int cols, boolean first) {
        if (!valid) return;
        int l = S.length();
        if (cols == 2 * l) {
            if (!first) {
                v0 = v0.add(FloatVector.fromArray(S, c, row));
                v1 = v1.add(FloatVector.fromArray(S, c, row + l));
            }
            v0.intoArray(c, row);
            v1.intoArray(c, row + l);
            return;
        }
        float[] tmp = new float[2 * l];
        v0.intoArray(tmp, 0);
        v1.intoArray(tmp, l);
        for (int j = 0; j < cols; j++) c[row + j] = first ? tmp[j] : c[row + j] + tmp[j];
    }
}
