// newton_schulz.cu: the grouped Newton-Schulz pass (celo2.md section 1.2) over every matrix of a table in 17 launches,
// whatever their number: newton_schulz_load (a block per matrix), 5 x 3 newton_schulz_product (a block of 16 x 16
// threads per output tile of every matrix) and newton_schulz_store (a block per matrix). The code is newton_schulz.cuh, which the
// OpenCL program newton_schulz.cl shares. Java twin: org.lopt4j.optim.NewtonSchulz; launcher:
// org.lopt4j.cuda.CudaNewtonSchulz; table: org.lopt4j.optim.NewtonSchulzPlan.
#include "newton_schulz.cuh"

// Block m (NS_GROUP threads): X of matrix m = M / (||M|| + eps), transposed when it has more rows than columns.
extern "C" __global__ void newton_schulz_load(const float* x, const int* table, float* work, double eps) {
    __shared__ float scratch[NS_GROUP];
    ns_load(x, table, work, (float)eps, blockIdx.x, threadIdx.x, scratch);
}

// Block w (NS_TILE * NS_TILE threads, thread ty * NS_TILE + tx): tile w of this stage's products over all matrices.
extern "C" __global__ void newton_schulz_product(float* work, const int* table, int count, int stage, int parity) {
    __shared__ float as[NS_TILE * NS_TILE];
    __shared__ float bs[NS_TILE * NS_TILE];
    ns_product(work, table, count, stage, parity, blockIdx.x, threadIdx.x / NS_TILE, threadIdx.x % NS_TILE, as, bs);
}

// Block m (NS_GROUP threads): the slab's entries of matrix m = scales[m] * its final X.
extern "C" __global__ void newton_schulz_store(float* x, const int* table, const float* work, const float* scales) {
    ns_store(x, table, work, scales, blockIdx.x, threadIdx.x);
}
