// sim_checks.cu: kernels for the CUDA simulator's own tests (org.lopt4j.cuda.sim.CudaSimulatorTest), built by
// build.sh into kernels/test_sim_checks.so and never into PTX: each broken one shows that one check fires, the correct
// ones show that the checks stay quiet on right code and that the schedule is random yet reproducible.

// Correct: each block sums its slice through warp shuffles, dynamic shared memory and a barrier, then adds it to
// *out atomically.
extern "C" __global__ void sim_block_sum(const float* x, float* out, int n) {
    extern __shared__ float warp_sums[];
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) v += x[i];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x == 0) {
        float s = 0.0f;
        for (unsigned w = 0; w < blockDim.x / 32; w++) s += warp_sums[w];
        atomicAdd(out, s);
    }
}

// Correct: every warp collective once, with partial widths, results per thread into out[8 * thread + k].
extern "C" __global__ void sim_warp_ops(int* out) {
    const int t = threadIdx.x, lane = t % 32;
    int* o = out + 8 * t;
    o[0] = __shfl_sync(0xffffffffu, t, 3);              // lane 3 of the warp
    o[1] = __shfl_sync(0xffffffffu, t, lane + 1, 8);    // the next lane of an 8-lane segment, wrapping inside it
    o[2] = __shfl_up_sync(0xffffffffu, t, 2, 16);       // two lanes down, clamped at the 16-lane segment's start
    o[3] = __shfl_down_sync(0xffffffffu, t, 4);         // four lanes up, clamped at the warp's end
    o[4] = __shfl_xor_sync(0xffffffffu, t, 5);
    o[5] = (int)__ballot_sync(0xffffffffu, lane % 3 == 0);
    o[6] = __all_sync(0xffffffffu, lane < 32) + 2 * __any_sync(0xffffffffu, lane == 31) + 4 * __any_sync(0xffffffffu, lane > 31);
    __syncwarp();
    o[7] = __syncthreads_count(lane < 5) + 1000 * __syncthreads_or(t == 40) + 10000 * __syncthreads_and(t < 64);
}

// Correct, but its result depends on the interleaving: the order in which the threads draw tickets.
extern "C" __global__ void sim_ticket_order(int* counter, int* order) {
    const int ticket = atomicAdd(counter, 1);
    order[ticket] = threadIdx.x;
}

// Broken: updates `tile`, then reads another thread's element with no __syncthreads between. (Without the first
// barrier too, a reader that runs before its writer would see an unwritten element instead: also reported.)
extern "C" __global__ void sim_missing_sync(const float* x, float* out) {
    __shared__ float tile[256];
    tile[threadIdx.x] = x[threadIdx.x];
    __syncthreads();
    tile[threadIdx.x] = 2.0f * tile[threadIdx.x];
    out[threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

// Broken: a tree reduction whose index is off by one, so thread s - 1 reads tile[2s], one past the end.
extern "C" __global__ void sim_reduce_off_by_one(const float* x, float* out) {
    __shared__ float tile[256];
    tile[threadIdx.x] = x[threadIdx.x];
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) tile[threadIdx.x] += tile[threadIdx.x + s + 1];
        __syncthreads();
    }
    if (threadIdx.x == 0) *out = tile[0];
}

// Broken: the first lane of every warp writes `best`, with no atomic and no barrier between the writes.
extern "C" __global__ void sim_racy_shared_write(float* out) {
    __shared__ float best;
    if (threadIdx.x % 32 == 0) best = (float)threadIdx.x;
    __syncthreads();
    if (threadIdx.x == 0) *out = best;
}

// Broken: only the first half of `tile` is written, all of it is read.
extern "C" __global__ void sim_uninitialized_shared(float* out) {
    __shared__ float tile[64];
    if (threadIdx.x < 32) tile[threadIdx.x] = 1.0f;
    __syncthreads();
    out[threadIdx.x] = tile[threadIdx.x];
}

// Broken: a barrier inside a branch only some threads take.
extern "C" __global__ void sim_divergent_barrier(float* out) {
    if (threadIdx.x < 16) __syncthreads();
    out[threadIdx.x] = 1.0f;
}

// Broken: the two halves of the block wait at different barriers.
extern "C" __global__ void sim_split_barrier(float* out) {
    if (threadIdx.x < 16) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}

// Broken: a full-warp shuffle that only the even lanes reach.
extern "C" __global__ void sim_divergent_shuffle(float* out) {
    float v = (float)threadIdx.x;
    if (threadIdx.x % 2 == 0) v += __shfl_xor_sync(0xffffffffu, v, 1);
    out[threadIdx.x] = v;
}

// Broken: a bound check that lets index n through, one past the end of out.
extern "C" __global__ void sim_out_of_bounds_write(float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) out[i] = 1.0f;
}

// Broken: a float stored 2 bytes into an allocation.
extern "C" __global__ void sim_misaligned_store(float* out) {
    *(float*)((char*)out + 2) = 1.0f;
}

// Reads x; the test frees x first.
extern "C" __global__ void sim_read(const float* x, float* out) { out[threadIdx.x] = x[threadIdx.x]; }

// Stops the launch from one thread.
extern "C" __global__ void sim_trap(float* out) {
    if (threadIdx.x == 7) __trap();
    out[threadIdx.x] = 1.0f;
}
