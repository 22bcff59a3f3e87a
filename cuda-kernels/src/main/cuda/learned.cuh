// learned.cuh: the block-level helpers the learned optimizers' kernels share (small_fc_lopt.cu, mlp_lopt.cu, velo.cu):
// a tensor's feature scales formed per block from per-chunk partial sums, and block sums by warp shuffles. Include it
// after fused.cuh and learned_rule.cuh.
#ifndef LOPT4J_LEARNED_CUH
#define LOPT4J_LEARNED_CUH

// Tensor t's `features` feature scales into sc (shared), from the partial sums of squares of its chunks
// (lopt_tensor_scale: the sums OpenCL's learned_feature_scales forms, in the same order). Every thread of the block must call it.
__device__ __forceinline__ void tensor_scales(float* sc, int features, const float* partials, int per_chunk,
                                              const int* first_chunk, const int* sizes, int t) {
    for (int q = threadIdx.x; q < features; q += blockDim.x) {
        sc[q] = lopt_tensor_scale(partials, per_chunk, features, q, first_chunk[t], first_chunk[t + 1], sizes[t], 1e-5f, 1);
    }
    __syncthreads();
}

// Adds each thread's acc[0..N) over the block (warp shuffles, then the warps' sums in order) into out[0..N); the
// block size is a multiple of 32, at most 1024.
template <int N>
__device__ __forceinline__ void block_sums(const float* acc, float (*warp_sums)[N], float* out) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int q = 0; q < N; q++) {
        float s = acc[q];
        for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
        if (lane == 0) warp_sums[warp][q] = s;
    }
    __syncthreads();
    if (threadIdx.x < N) {
        float s = 0.f;
        for (int w = 0; w < warps; w++) s += warp_sums[w][threadIdx.x];
        out[threadIdx.x] = s;
    }
}

#endif
