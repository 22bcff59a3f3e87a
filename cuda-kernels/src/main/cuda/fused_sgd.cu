// fused_sgd.cu: plain SGD and heavy-ball / Nesterov momentum over a slab, one launch for all tensors.
// Java twins: org.lopt4j.tensor.cpu.ref.FusedSgdRef.apply and .momentum (FusedOps.SgdArgs, MomentumArgs);
// launcher: org.lopt4j.cuda.CudaFusedOps.
#include "fused.cuh"

extern "C" __global__ void fused_sgd_apply(float* params, const float* grads, const int* tensor_of,
                                           const int* start_of, const int* offsets, const int* sizes, int chunk,
                                           double lr) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float lrf = (float)lr;
    CHUNK_LOOP(i, begin, end) params[i] = params[i] - lrf * grads[i];
}

extern "C" __global__ void fused_sgd_momentum(float* params, const float* grads, float* trace, const int* tensor_of,
                                              const int* start_of, const int* offsets, const int* sizes, int chunk,
                                              double lr, double momentum, int nesterov) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float lrf = (float)lr, mu = (float)momentum;
    CHUNK_LOOP(i, begin, end) {
        const float gi = grads[i], bi = mu * trace[i] + gi;
        trace[i] = bi;
        params[i] = params[i] - lrf * (nesterov ? gi + mu * bi : bi);
    }
}
