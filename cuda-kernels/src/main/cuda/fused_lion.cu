// fused_lion.cu: Lion (sign of the interpolated momentum, decoupled weight decay), one launch for all tensors.
// Java twin: org.lopt4j.tensor.cpu.ref.FusedLionRef.apply (FusedOps.LionArgs); launcher: org.lopt4j.cuda.CudaFusedOps.
#include "fused.cuh"

extern "C" __global__ void fused_lion_apply(float* params, const float* grads, float* m, const int* tensor_of,
                                            const int* start_of, const int* offsets, const int* sizes, int chunk,
                                            double lr, double beta1, double beta2, double weight_decay) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float b1 = (float)beta1, b2 = (float)beta2, omb1 = (float)(1.0 - beta1), omb2 = (float)(1.0 - beta2);
    const float lrf = (float)lr, wd = (float)weight_decay;
    CHUNK_LOOP(i, begin, end) {
        const float gi = grads[i], mi = m[i], pi = params[i];
        const float u = java_signum(b1 * mi + omb1 * gi) + wd * pi;
        m[i] = b2 * mi + omb2 * gi;
        params[i] = pi - lrf * u;
    }
}
