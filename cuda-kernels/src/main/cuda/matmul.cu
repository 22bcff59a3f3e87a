// matmul.cu: the engine's own tiled SGEMM, batched over leading axes (F32 only: F64 GEMM is CPU-only by design).
// Java twin: the Op.MatMul case of org.lopt4j.tensor.cpu.ScalarBackend (ScalarBackend.matmul). Launched by
// org.lopt4j.cuda.Matmul.
//
// out[b] = A[b] @ B[b] with A[b] of M x K and B[b] of K x N, where batch element b (row-major over `batch`) starts
// at a_v(b), b_v(b), out_v(b) and the matrix element (i, j) of each is at a_rs * i + a_cs * j (b_rs/b_cs,
// o_rs/o_cs alike). Transposed operands (Op.MatMul ta/tb) are the same call with the row and column strides swapped
// by Java, so one kernel serves all four flag combinations and any strided or broadcast (stride 0) batch.
//
// Each block computes a SGEMM_BM x SGEMM_BN tile of one batch element with SGEMM_THREADS threads; each thread
// keeps a SGEMM_TM x SGEMM_TN block of accumulators in registers (rows ty + SGEMM_TY * i, columns tx + SGEMM_TX * j:
// conflict-free shared reads, coalesced stores). K advances in steps of SGEMM_BK through shared-memory tiles of A
// (stored k-major) and B; tiles are loaded along whichever stride is 1 so global reads coalesce for both layouts.
// Grid: x over column tiles, y over row tiles and z over batch elements; y and z loop when they exceed the grid.
#include "common.cuh"

#define SGEMM_BM 64
#define SGEMM_BN 64
#define SGEMM_BK 16
#define SGEMM_TM 4
#define SGEMM_TN 4
#define SGEMM_TX (SGEMM_BN / SGEMM_TN)
#define SGEMM_TY (SGEMM_BM / SGEMM_TM)
#define SGEMM_THREADS 256

static_assert(SGEMM_TX * SGEMM_TY == SGEMM_THREADS, "one thread per micro-tile");
static_assert((SGEMM_BM * SGEMM_BK) % SGEMM_THREADS == 0 && (SGEMM_BK * SGEMM_BN) % SGEMM_THREADS == 0,
              "tiles load in whole rounds");

extern "C" __global__ void __launch_bounds__(SGEMM_THREADS)
matmul_sgemm(float* out, const float* a, const float* b, Dims batch, View out_v, View a_v, View b_v,
             long long n_batch, int m, int n, int k, long long a_rs, long long a_cs, long long b_rs,
             long long b_cs, long long o_rs, long long o_cs) {
    if (blockDim.x != SGEMM_THREADS) __trap();   // the launch geometry is part of the kernel's contract
    __shared__ float as[SGEMM_BK][SGEMM_BM + 1];
    __shared__ float bs[SGEMM_BK][SGEMM_BN + 1];
    const int t = threadIdx.x, tx = t % SGEMM_TX, ty = t / SGEMM_TX;
    const int tiles_m = CEIL_DIV(m, SGEMM_BM);
    const int col0 = blockIdx.x * SGEMM_BN;
    const bool a_k_contiguous = a_cs == 1, b_n_contiguous = b_cs == 1;

    for (long long z = blockIdx.z; z < n_batch; z += gridDim.z) {
        long long bidx[LOPT4J_MAX_RANK];
        unravel(batch, z, bidx);
        const float* ab = a + offset_of(a_v, bidx);
        const float* bb = b + offset_of(b_v, bidx);
        float* ob = out + offset_of(out_v, bidx);
        for (int tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
            const int row0 = tm * SGEMM_BM;
            float acc[SGEMM_TM][SGEMM_TN];
#pragma unroll
            for (int i = 0; i < SGEMM_TM; ++i)
#pragma unroll
                for (int j = 0; j < SGEMM_TN; ++j) acc[i][j] = 0.0f;

            for (int k0 = 0; k0 < k; k0 += SGEMM_BK) {
#pragma unroll
                for (int l = t; l < SGEMM_BM * SGEMM_BK; l += SGEMM_THREADS) {
                    const int r = a_k_contiguous ? l / SGEMM_BK : l % SGEMM_BM;
                    const int c = a_k_contiguous ? l % SGEMM_BK : l / SGEMM_BM;
                    const int gi = row0 + r, gk = k0 + c;
                    as[c][r] = gi < m && gk < k ? ab[gi * a_rs + gk * a_cs] : 0.0f;
                }
#pragma unroll
                for (int l = t; l < SGEMM_BK * SGEMM_BN; l += SGEMM_THREADS) {
                    const int r = b_n_contiguous ? l / SGEMM_BN : l % SGEMM_BK;
                    const int c = b_n_contiguous ? l % SGEMM_BN : l / SGEMM_BK;
                    const int gk = k0 + r, gj = col0 + c;
                    bs[r][c] = gk < k && gj < n ? bb[gk * b_rs + gj * b_cs] : 0.0f;
                }
                __syncthreads();
#pragma unroll
                for (int kk = 0; kk < SGEMM_BK; ++kk) {
                    float ra[SGEMM_TM], rb[SGEMM_TN];
#pragma unroll
                    for (int i = 0; i < SGEMM_TM; ++i) ra[i] = as[kk][ty + SGEMM_TY * i];
#pragma unroll
                    for (int j = 0; j < SGEMM_TN; ++j) rb[j] = bs[kk][tx + SGEMM_TX * j];
#pragma unroll
                    for (int i = 0; i < SGEMM_TM; ++i)
#pragma unroll
                        for (int j = 0; j < SGEMM_TN; ++j) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
                }
                __syncthreads();
            }
#pragma unroll
            for (int i = 0; i < SGEMM_TM; ++i) {
                const int gi = row0 + ty + SGEMM_TY * i;
#pragma unroll
                for (int j = 0; j < SGEMM_TN; ++j) {
                    const int gj = col0 + tx + SGEMM_TX * j;
                    if (gi < m && gj < n) ob[gi * o_rs + gj * o_cs] = acc[i][j];
                }
            }
        }
    }
}
