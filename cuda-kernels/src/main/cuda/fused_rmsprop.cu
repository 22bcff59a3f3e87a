// fused_rmsprop.cu: RMSProp (optax or PyTorch eps placement, centered, momentum, Nesterov), one launch for all
// tensors. Java twin: org.lopt4j.tensor.cpu.ref.FusedRmspropRef.apply (FusedOps.RmspropArgs); launcher:
// org.lopt4j.cuda.CudaFusedOps. mg is read only when centered, trace only when momentum > 0.
#include "fused.cuh"

extern "C" __global__ void fused_rmsprop_apply(float* params, const float* grads, float* v, float* mg, float* trace,
                                               const int* tensor_of, const int* start_of, const int* offsets,
                                               const int* sizes, int chunk, double lr, double decay, double eps,
                                               int eps_in_sqrt, int centered, double momentum, int nesterov) {
    long long begin, end;
    chunk_range(tensor_of, start_of, offsets, sizes, chunk, &begin, &end);
    const float rho = (float)decay, omr = (float)(1.0 - decay), epsf = (float)eps, mu = (float)momentum;
    const float lrf = (float)lr;
    const bool with_momentum = momentum > 0;
    CHUNK_LOOP(i, begin, end) {
        const float gi = grads[i];
        const float vi = rho * v[i] + omr * gi * gi;
        v[i] = vi;
        float var = vi;
        if (centered) {
            const float mi = rho * mg[i] + omr * gi;
            mg[i] = mi;
            var = vi - mi * mi;
        }
        float u = eps_in_sqrt ? gi / sqrtf(var + epsf) : gi / (sqrtf(var) + epsf);
        if (with_momentum) {
            const float bi = mu * trace[i] + u;
            trace[i] = bi;
            u = nesterov ? u + mu * bi : bi;
        }
        params[i] = params[i] - lrf * u;
    }
}
