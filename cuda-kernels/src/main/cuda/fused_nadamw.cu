// fused_nadamw.cu: learned_optimization's NAdamW as coded (l2 term subtracted), one launch for all tensors.
// Java twin: org.lopt4j.tensor.cpu.ref.FusedNadamwRef.apply (FusedOps.NadamwArgs); launcher: org.lopt4j.cuda.CudaFusedOps.
#include "fused.cuh"

extern "C" __global__ void fused_nadamw_apply(float* params, const float* grads, float* m, float* v,
                                              const int* tensor_of, const int* start_of, const int* offsets,
                                              const int* sizes, int chunk, double lr_t, double beta1, double beta2,
                                              double eps, double adamw_weight_decay, double l2_weight_decay,
                                              int nesterov) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float b1 = (float)beta1, b2 = (float)beta2, omb1 = (float)(1.0 - beta1), omb2 = (float)(1.0 - beta2);
    const float lr = (float)lr_t, epsf = (float)eps, l2 = (float)l2_weight_decay;
    const float lr_wd = (float)(lr_t * adamw_weight_decay);
    CHUNK_LOOP(i, begin, end) {
        const float pi = params[i], gi = grads[i] - l2 * pi;
        const float mi = b1 * m[i] + omb1 * gi;
        const float vi = b2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float num = nesterov ? b1 * mi + omb1 * gi : mi;
        params[i] = pi - (lr * num / (sqrtf(vi) + epsf) + lr_wd * pi);
    }
}
