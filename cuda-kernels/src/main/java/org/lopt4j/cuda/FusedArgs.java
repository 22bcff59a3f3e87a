package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The parameter lists of the fused optimizer kernels (fused_*.cu), one record per entry point: the components of the
 * matching {@link org.lopt4j.tensor.FusedOps} record, in the same order, with each buffer as its device pointer.
 * KernelTwinsTest holds them to the .cu sources.
 */
final class FusedArgs {
    private FusedArgs() {}

    /** fused_grad_stats_apply. */
    record GradStats(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr stats,
                     CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                     double weightDecay, double clipValue, int zeroNonFinite) {}

    /** fused_sgd_apply. */
    record Sgd(CUdeviceptr params, CUdeviceptr grads,
               CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
               double lr) {}

    /** fused_sgd_momentum. */
    record Momentum(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr trace,
                    CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                    double lr, double momentum, int nesterov) {}

    /** fused_adamw_apply. */
    record Adamw(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m, CUdeviceptr v,
                 CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                 double lr, double beta1, double beta2, double eps, double epsRoot, double weightDecay,
                 double biasCorrection1, double biasCorrection2) {}

    /** fused_nadamw_apply. */
    record Nadamw(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m, CUdeviceptr v,
                  CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                  double lrT, double beta1, double beta2, double eps, double adamwWeightDecay,
                  double l2WeightDecay, int nesterov) {}

    /** fused_rmsprop_apply: mg and trace point at params when unused (the kernel does not touch them then). */
    record Rmsprop(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr v, CUdeviceptr mg, CUdeviceptr trace,
                   CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                   double lr, double decay, double eps, int epsInSqrt, int centered, double momentum, int nesterov) {}

    /** fused_lion_apply. */
    record Lion(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m,
                CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                double lr, double beta1, double beta2, double weightDecay) {}
}
