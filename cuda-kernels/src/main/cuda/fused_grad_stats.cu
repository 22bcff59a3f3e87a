// fused_grad_stats.cu: gradient transform (zero non-finite, + wd * p, clip) with Σg² and the non-finite count, one
// launch for all tensors. Java twin: org.lopt4j.tensor.cpu.ref.FusedGradStatsRef.apply (FusedOps.GradStatsArgs);
// launcher: org.lopt4j.cuda.CudaFusedOps, which zeroes stats[0..1] before the launch (each block adds its partial
// sums with one atomicAdd per statistic, so the last bits of stats[0] vary between runs).
#include "common.cuh"
#include "fused.cuh"

extern "C" __global__ void fused_grad_stats_apply(const float* params, float* grads, float* stats,
                                                  const int* tensor_of, const int* start_of, const int* offsets,
                                                  const int* sizes, int chunk, double weight_decay, double clip_value,
                                                  int zero_non_finite) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float wd = (float)weight_decay, clip = (float)clip_value;
    const bool writes = zero_non_finite || weight_decay != 0 || clip_value > 0;
    double sum_sq = 0;
    int non_finite = 0;
    CHUNK_LOOP(i, begin, end) {
        float x = grads[i];
        if (!isfinite(x)) {
            non_finite++;
            if (zero_non_finite) x = 0.f;
        }
        x = x + wd * params[i];
        if (clip_value > 0) x = java_max(-clip, java_min(clip, x));
        if (writes) grads[i] = x;
        sum_sq += (double)x * x;
    }
    sum_sq = block_reduce(sum_sq, [](double a, double b) { return a + b; }, 0.0);
    non_finite = block_reduce(non_finite, [](int a, int b) { return a + b; }, 0);
    if (threadIdx.x == 0) {
        atomicAdd(&stats[0], (float)sum_sq);
        atomicAdd(&stats[1], (float)non_finite);
    }
}
