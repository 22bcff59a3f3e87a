// fused.cuh: the chunk-table walk shared by the fused multi-tensor optimizer kernels (fused_*.cu); no entry points.
// One block per chunk-table entry (apex's multi_tensor_apply): block c updates flat slab elements
// [offsets[t] + start_of[c], offsets[t] + min(start_of[c] + chunk, sizes[t])) of tensor t = tensor_of[c], its threads
// striding by blockDim.x. Java twin of the walk: org.lopt4j.tensor.cpu.ref.ChunkView (begin/end).
#pragma once

// The flat element range of this block's chunk.
__device__ __forceinline__ void chunk_range(const int* tensor_of, const int* start_of, const int* offsets,
                                            const int* sizes, int chunk, long long* begin, long long* end) {
    const int t = tensor_of[blockIdx.x];
    const long long start = start_of[blockIdx.x];
    const long long stop = start + chunk < (long long)sizes[t] ? start + chunk : (long long)sizes[t];
    *begin = (long long)offsets[t] + start;
    *end = (long long)offsets[t] + stop;
}

// This thread's elements of [begin, end).
#define CHUNK_LOOP(i, begin, end) for (long long i = (begin) + threadIdx.x; i < (end); i += blockDim.x)

// Java's Math.signum on a float: NaN and signed zeros come back unchanged.
__device__ __forceinline__ float java_signum(float x) { return x > 0.f ? 1.f : (x < 0.f ? -1.f : x); }
