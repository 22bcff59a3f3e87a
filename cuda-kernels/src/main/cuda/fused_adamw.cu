// fused_adamw.cu: multi-tensor AdamW (eps_root, decoupled weight decay) over a slab, one launch for all tensors.
// Java twin: org.lopt4j.tensor.cpu.ref.FusedAdamwRef.apply (FusedOps.AdamwArgs); launcher: org.lopt4j.cuda.CudaFusedOps.
// Scalars arrive in double; derived constants (1 - beta) are formed in double and rounded once to float.
#include "fused.cuh"

extern "C" __global__ void fused_adamw_apply(float* params, const float* grads, float* m, float* v,
                                             const int* tensor_of, const int* start_of, const int* offsets,
                                             const int* sizes, int chunk, double lr, double beta1, double beta2,
                                             double eps, double eps_root, double weight_decay,
                                             double bias_correction1, double bias_correction2) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float b1 = (float)beta1, b2 = (float)beta2, omb1 = (float)(1.0 - beta1), omb2 = (float)(1.0 - beta2);
    const float lrf = (float)lr, epsf = (float)eps, eps_rootf = (float)eps_root, wd = (float)weight_decay;
    const float bc1 = (float)bias_correction1, bc2 = (float)bias_correction2;
    CHUNK_LOOP(i, begin, end) {
        const float gi = grads[i], pi = params[i];
        const float mi = b1 * m[i] + omb1 * gi;
        const float vi = b2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float m_hat = mi / bc1, v_hat = vi / bc2;
        params[i] = pi - lrf * (m_hat / (sqrtf(v_hat + eps_rootf) + epsf) + wd * pi);
    }
}
