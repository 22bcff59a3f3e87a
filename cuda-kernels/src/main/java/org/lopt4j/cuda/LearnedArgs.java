package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The parameter lists of the learned-optimizer kernels (small_fc_lopt.cu, mlp_lopt.cu, velo.cu, l3rs.cu,
 * newton_schulz.cu, celo2.cu, ciao.cu), one record per
 * entry point, each buffer as its device pointer. KernelTwinsTest holds them to the .cu sources.
 */
final class LearnedArgs {
    private LearnedArgs() {}

    /** small_fc_lopt_accumulate. */
    record SmallFcAccumulate(CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr v,
                             CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1,
                             CUdeviceptr c2, CUdeviceptr decays, CUdeviceptr info, CUdeviceptr tensorOf,
                             CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk, int chunks,
                             CUdeviceptr rowTensorOf, CUdeviceptr rowStartOf, int rowChunks, CUdeviceptr colTensorOf,
                             CUdeviceptr colStartOf, int auxChunk, CUdeviceptr count, int countStride,
                             CUdeviceptr gradStats, int skipNonfinite, CUdeviceptr skips) {}

    /** small_fc_lopt_row_means. */
    record SmallFcRowMeans(CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr rowMean, int meanTotal,
                           CUdeviceptr info, CUdeviceptr meanTensorOf, CUdeviceptr meanStartOf, int chunk) {}

    /** small_fc_lopt_feature_sums. */
    record SmallFcFeatureSums(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2,
                              CUdeviceptr v, CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0,
                              CUdeviceptr c1, CUdeviceptr c2, CUdeviceptr rowMean, int meanTotal, CUdeviceptr info,
                              CUdeviceptr partials, CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets,
                              CUdeviceptr sizes, int chunk) {}

    /** velo_stats_sums. */
    record VeloStatsSums(CUdeviceptr partials, int perChunk, CUdeviceptr firstChunk, CUdeviceptr sizes, CUdeviceptr stats,
                         int tensors) {}

    /** small_fc_lopt_apply. */
    record SmallFcApply(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2,
                        CUdeviceptr v, CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1,
                        CUdeviceptr c2, CUdeviceptr rowMean, int meanTotal, CUdeviceptr info, CUdeviceptr partials,
                        int perChunk, CUdeviceptr firstChunk, CUdeviceptr theta, int thetaStride, CUdeviceptr count,
                        int countStride, int hidden, int layers, double expMult, double stepScale, CUdeviceptr tensorSteps, double paramDecay, CUdeviceptr tensorOf,
                        CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk, CUdeviceptr gradStats,
                        int skipNonfinite) {}

    /** small_fc_lopt_grad_norms. */
    record SmallFcGradNorms(CUdeviceptr grads, CUdeviceptr normPartials, CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets,
                            CUdeviceptr sizes, int chunk, CUdeviceptr gradStats, int skipNonfinite) {}

    /** small_fc_lopt_clip. */
    record SmallFcClip(CUdeviceptr grads, CUdeviceptr normPartials, CUdeviceptr firstChunk, double maxNorm, CUdeviceptr tensorOf,
                       CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk, CUdeviceptr gradStats, int skipNonfinite) {}

    /** mlp_lopt_accumulate. */
    record MlpAccumulate(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2,
                      CUdeviceptr m3, CUdeviceptr m4, CUdeviceptr m5, CUdeviceptr decays, CUdeviceptr partials,
                      CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk,
                      CUdeviceptr count, int countStride, CUdeviceptr gradStats, int skipNonfinite, CUdeviceptr skips) {}

    /** mlp_lopt_apply. */
    record MlpApply(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2,
                    CUdeviceptr m3, CUdeviceptr m4, CUdeviceptr m5, CUdeviceptr partials, int perChunk,
                    CUdeviceptr firstChunk, CUdeviceptr theta, int thetaStride, CUdeviceptr count, int countStride,
                    CUdeviceptr widths,
                    int layers, int perMember, double expMult, double stepMult, CUdeviceptr tensorOf,
                    CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk, CUdeviceptr gradStats,
                    int skipNonfinite) {}

    /** velo_stats. */
    record VeloStats(CUdeviceptr params, CUdeviceptr v, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr partials,
                     CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}

    /** velo_feature_sums. */
    record VeloFeatureSums(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2,
                           CUdeviceptr v, CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1,
                           CUdeviceptr c2, CUdeviceptr rowMean, int meanTotal, CUdeviceptr info, CUdeviceptr partials,
                           CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}

    /** velo_apply. */
    record VeloApply(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr v,
                     CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1, CUdeviceptr c2,
                     CUdeviceptr rowMean, int meanTotal, CUdeviceptr info, CUdeviceptr partials, int perChunk,
                     CUdeviceptr firstChunk, CUdeviceptr mixed, CUdeviceptr step, double lr, double paramDecay, CUdeviceptr tensorOf, CUdeviceptr startOf,
                     CUdeviceptr offsets, CUdeviceptr sizes, int chunk, CUdeviceptr gradStats, int skipNonfinite) {}

    /** velo_loss_features. */
    record VeloLossFeatures(CUdeviceptr lossBuffer, int lossStride, CUdeviceptr losses, CUdeviceptr lossFeatures,
                            CUdeviceptr fresh, CUdeviceptr info, int numSteps, CUdeviceptr gradStats, int skipNonfinite,
                            int tensors) {}

    /** velo_lstm_features. */
    record VeloLstmFeatures(CUdeviceptr stats, CUdeviceptr lossFeatures, CUdeviceptr count, int countStride,
                            CUdeviceptr info, CUdeviceptr sizes, int numSteps, CUdeviceptr lstmInputs,
                            CUdeviceptr paramScale, int tensors) {}

    /** l3rs_accumulate. */
    record L3rsAccumulate(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr hb, CUdeviceptr m, CUdeviceptr v, CUdeviceptr partials,
                          CUdeviceptr count, int countStride, CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets,
                          CUdeviceptr sizes, int chunk, CUdeviceptr gradStats, int skipNonfinite, CUdeviceptr skips) {}

    /** l3rs_layer. */
    record L3rsLayer(CUdeviceptr partials, int perChunk, CUdeviceptr firstChunk, CUdeviceptr ema, int emaStride, CUdeviceptr losses,
                     CUdeviceptr theta, int thetaStride, int mlpSize, CUdeviceptr widths, int layers, int perMember, CUdeviceptr count,
                     int countStride, int numSteps, double lambda0, int scaleByNorm, CUdeviceptr layerOut, int tensors,
                     CUdeviceptr gradStats, int skipNonfinite) {}

    /** l3rs_apply. */
    record L3rsApply(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr hb, CUdeviceptr m, CUdeviceptr v, CUdeviceptr layerOut,
                     CUdeviceptr count, int countStride, CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets,
                     CUdeviceptr sizes, int chunk, CUdeviceptr gradStats, int skipNonfinite) {}

    /** newton_schulz_load. */
    record NewtonSchulzLoad(CUdeviceptr x, CUdeviceptr table, CUdeviceptr work, double eps) {}

    /** newton_schulz_product. */
    record NewtonSchulzProduct(CUdeviceptr work, CUdeviceptr table, int count, int stage, int parity) {}

    /** newton_schulz_store. */
    record NewtonSchulzStore(CUdeviceptr x, CUdeviceptr table, CUdeviceptr work, CUdeviceptr scales) {}

    /** celo2_grad_norms. */
    record Celo2GradNorms(CUdeviceptr grads, CUdeviceptr normPartials, CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets,
                          CUdeviceptr sizes, int chunk) {}

    /** celo2_member_scales. */
    record Celo2MemberScales(CUdeviceptr normPartials, CUdeviceptr firstChunk, int perMember, double clipNorm, CUdeviceptr memberScales) {}

    /** celo2_clip. */
    record Celo2Clip(CUdeviceptr grads, CUdeviceptr info, CUdeviceptr memberScales, int useScales, double lim, CUdeviceptr tensorOf,
                     CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}

    /** celo2_feature_sums. */
    record Celo2FeatureSums(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr v,
                            CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1, CUdeviceptr c2,
                            CUdeviceptr rowMean, int meanTotal, CUdeviceptr info, CUdeviceptr partials, CUdeviceptr blocks,
                            CUdeviceptr blockOf, CUdeviceptr blockStart, int blockChunk) {}

    /** celo2_block_scales. */
    record Celo2BlockScales(CUdeviceptr partials, int features, CUdeviceptr blocks, int blockCount, CUdeviceptr scales) {}

    /** celo2_mlp. */
    record Celo2Mlp(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m0, CUdeviceptr m1, CUdeviceptr m2, CUdeviceptr v,
                    CUdeviceptr r0, CUdeviceptr r1, CUdeviceptr r2, CUdeviceptr c0, CUdeviceptr c1, CUdeviceptr c2,
                    CUdeviceptr rowMean, int meanTotal, CUdeviceptr info, CUdeviceptr blockScales, CUdeviceptr theta, int thetaStride,
                    int hidden, double expMult, CUdeviceptr step, CUdeviceptr blocks, CUdeviceptr blockOf, CUdeviceptr blockStart,
                    int blockChunk) {}

    /** celo2_step_sums. */
    record Celo2StepSums(CUdeviceptr step, CUdeviceptr partials, CUdeviceptr blocks, CUdeviceptr blockOf, CUdeviceptr blockStart,
                         int blockChunk) {}

    /** celo2_apply. */
    record Celo2Apply(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr adamM, CUdeviceptr adamV, CUdeviceptr m0, CUdeviceptr v,
                      CUdeviceptr count, int countStride, CUdeviceptr step, CUdeviceptr stepScales, CUdeviceptr blocks,
                      CUdeviceptr tensorBlock, int sharedAdam, double lr, double wd, double adamLr, double adamWd, CUdeviceptr tensorOf,
                      CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}

    /** ciao_global. */
    record CiaoGlobal(CUdeviceptr gradStats, CUdeviceptr clipState, double gradClipBeta, double clipNorm) {}

    /** ciao_moments. */
    record CiaoMoments(CUdeviceptr params, CUdeviceptr grads, CUdeviceptr m, CUdeviceptr v, CUdeviceptr perTensor, CUdeviceptr clipState,
                       CUdeviceptr partials, double beta1, double beta2, double eps, double wd, int inf, int wdInUpdate, int features,
                       CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}

    /** ciao_tensors. */
    record CiaoTensors(CUdeviceptr partials, CUdeviceptr firstChunk, CUdeviceptr sizes, CUdeviceptr perTensor, CUdeviceptr clipState,
                       CUdeviceptr vector, CUdeviceptr features, int withFeatures, double lr, double beta1, double beta2, double lambPower,
                       double lambMin, double lambMax, int lambIgnoreVectors, double lambOmbeta, int tensors) {}

    /** ciao_apply. */
    record CiaoApply(CUdeviceptr params, CUdeviceptr m, CUdeviceptr v, CUdeviceptr perTensor, double eps, double wd, int inf, int wdInUpdate,
                     CUdeviceptr tensorOf, CUdeviceptr startOf, CUdeviceptr offsets, CUdeviceptr sizes, int chunk) {}
}
