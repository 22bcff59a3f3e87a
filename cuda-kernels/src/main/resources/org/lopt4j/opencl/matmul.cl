// matmul.cl: the engine's own tiled GEMM, batched over leading axes, generic over real_t (F32 and F64).
// Twin of cuda-kernels/src/main/cuda/matmul.cu; Java twin: the Op.MatMul case of org.lopt4j.tensor.cpu.ScalarBackend.
// Launched by org.lopt4j.opencl.Matmul.
//
// out[b] = A[b] @ B[b] with A[b] of M x K and B[b] of K x N, where batch element b (row-major over `batch`) starts
// at a_v(b), b_v(b), out_v(b) and the matrix element (i, j) of each is at a_rs * i + a_cs * j (b_rs/b_cs, o_rs/o_cs
// alike). Transposed operands (Op.MatMul ta/tb) are the same call with the row and column strides swapped by Java,
// so one kernel serves all four flag combinations and any strided or broadcast (stride 0) batch.
//
// Each work-group computes a GEMM_BM x GEMM_BN tile of one batch element with GEMM_THREADS work-items; each keeps a
// GEMM_TM x GEMM_TN block of accumulators (rows ty + GEMM_TY * i, columns tx + GEMM_TX * j). K advances in steps of
// GEMM_BK through local-memory tiles of A (stored k-major) and B, loaded along whichever stride is 1. NDRange:
// dimension 0 over column tiles, 1 over row tiles, 2 over batch elements; 1 and 2 loop when the work is larger.

#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16
#define GEMM_TM 4
#define GEMM_TN 4
#define GEMM_TX (GEMM_BN / GEMM_TN)
#define GEMM_TY (GEMM_BM / GEMM_TM)
#define GEMM_THREADS 256

__kernel __attribute__((reqd_work_group_size(GEMM_THREADS, 1, 1)))
void matmul_gemm(__global real_t* out, __global const real_t* a, __global const real_t* b, Dims batch, View out_v,
                 View a_v, View b_v, long n_batch, int m, int n, int k, long a_rs, long a_cs, long b_rs, long b_cs,
                 long o_rs, long o_cs) {
    __local real_t as[GEMM_BK][GEMM_BM + 1];
    __local real_t bs[GEMM_BK][GEMM_BN + 1];
    const int t = (int)get_local_id(0), tx = t % GEMM_TX, ty = t / GEMM_TX;
    const int tiles_m = CEIL_DIV(m, GEMM_BM);
    const int col0 = (int)get_group_id(0) * GEMM_BN;
    const bool a_k_contiguous = a_cs == 1, b_n_contiguous = b_cs == 1;

    for (long z = get_group_id(2); z < n_batch; z += get_num_groups(2)) {
        long bidx[LOPT4J_MAX_RANK];
        unravel(&batch, z, bidx);
        __global const real_t* ab = a + offset_of(&a_v, bidx);
        __global const real_t* bb = b + offset_of(&b_v, bidx);
        __global real_t* ob = out + offset_of(&out_v, bidx);
        for (int tm = (int)get_group_id(1); tm < tiles_m; tm += (int)get_num_groups(1)) {
            const int row0 = tm * GEMM_BM;
            real_t acc[GEMM_TM][GEMM_TN];
            for (int i = 0; i < GEMM_TM; ++i)
                for (int j = 0; j < GEMM_TN; ++j) acc[i][j] = 0;

            for (int k0 = 0; k0 < k; k0 += GEMM_BK) {
                for (int l = t; l < GEMM_BM * GEMM_BK; l += GEMM_THREADS) {
                    const int r = a_k_contiguous ? l / GEMM_BK : l % GEMM_BM;
                    const int c = a_k_contiguous ? l % GEMM_BK : l / GEMM_BM;
                    const int gi = row0 + r, gk = k0 + c;
                    as[c][r] = gi < m && gk < k ? ab[gi * a_rs + gk * a_cs] : (real_t)0;
                }
                for (int l = t; l < GEMM_BK * GEMM_BN; l += GEMM_THREADS) {
                    const int r = b_n_contiguous ? l / GEMM_BN : l % GEMM_BK;
                    const int c = b_n_contiguous ? l % GEMM_BN : l / GEMM_BK;
                    const int gk = k0 + r, gj = col0 + c;
                    bs[r][c] = gk < k && gj < n ? bb[gk * b_rs + gj * b_cs] : (real_t)0;
                }
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int kk = 0; kk < GEMM_BK; ++kk) {
                    real_t ra[GEMM_TM], rb[GEMM_TN];
                    for (int i = 0; i < GEMM_TM; ++i) ra[i] = as[kk][ty + GEMM_TY * i];
                    for (int j = 0; j < GEMM_TN; ++j) rb[j] = bs[kk][tx + GEMM_TX * j];
                    for (int i = 0; i < GEMM_TM; ++i)
                        for (int j = 0; j < GEMM_TN; ++j) acc[i][j] = fma(ra[i], rb[j], acc[i][j]);
                }
                barrier(CLK_LOCAL_MEM_FENCE);
            }
            for (int i = 0; i < GEMM_TM; ++i) {
                const int gi = row0 + ty + GEMM_TY * i;
                for (int j = 0; j < GEMM_TN; ++j) {
                    const int gj = col0 + tx + GEMM_TX * j;
                    if (gi < m && gj < n) ob[gi * o_rs + gj * o_cs] = acc[i][j];
                }
            }
        }
    }
}
