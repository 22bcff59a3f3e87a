package org.lopt4j.cuda;

import java.util.List;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.View;

/**
 * Every kernel entry point the CUDA backend launches, with its argument record; KernelTwinsTest holds this list and
 * the records to the .cu sources. A new kernel (a fused optimizer step, say) adds its .cu, its record and a line
 * here; the backend resolves every listed function once at start.
 */
public final class Kernels {
    static final KernelSpec ELEMENTWISE_UNARY = new KernelSpec("elementwise_unary", Elementwise.UnaryArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_BINARY = new KernelSpec("elementwise_binary", Elementwise.BinaryArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_WHERE = new KernelSpec("elementwise_where", Elementwise.WhereArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_FILL = new KernelSpec("elementwise_fill", Elementwise.FillArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_COPY = new KernelSpec("elementwise_copy", Elementwise.CopyArgs.class, "elementwise.ptx");
    static final KernelSpec REDUCE_BLOCKS = new KernelSpec("reduce_blocks", Reduction.BlocksArgs.class, "reduce.ptx");
    static final KernelSpec REDUCE_SERIAL = new KernelSpec("reduce_serial", Reduction.SerialArgs.class, "reduce.ptx");
    static final KernelSpec MATMUL_SGEMM = new KernelSpec("matmul_sgemm", Matmul.SgemmArgs.class, "matmul.ptx");
    static final KernelSpec GATHER_ROWS = new KernelSpec("gather_rows", Gather.RowsArgs.class, "gather.ptx");
    static final KernelSpec RANDOM_FILL = new KernelSpec("random_fill", RandomFill.FillArgs.class, "random.ptx");
    static final KernelSpec FUSED_GRAD_STATS_APPLY = new KernelSpec("fused_grad_stats_apply", FusedArgs.GradStats.class, "fused_grad_stats.ptx");
    static final KernelSpec FUSED_SGD_APPLY = new KernelSpec("fused_sgd_apply", FusedArgs.Sgd.class, "fused_sgd.ptx");
    static final KernelSpec FUSED_SGD_MOMENTUM = new KernelSpec("fused_sgd_momentum", FusedArgs.Momentum.class, "fused_sgd.ptx");
    static final KernelSpec FUSED_ADAMW_APPLY = new KernelSpec("fused_adamw_apply", FusedArgs.Adamw.class, "fused_adamw.ptx");
    static final KernelSpec FUSED_NADAMW_APPLY = new KernelSpec("fused_nadamw_apply", FusedArgs.Nadamw.class, "fused_nadamw.ptx");
    static final KernelSpec FUSED_RMSPROP_APPLY = new KernelSpec("fused_rmsprop_apply", FusedArgs.Rmsprop.class, "fused_rmsprop.ptx");
    static final KernelSpec FUSED_LION_APPLY = new KernelSpec("fused_lion_apply", FusedArgs.Lion.class, "fused_lion.ptx");
    static final KernelSpec SMALL_FC_LOPT_ACCUMULATE = smallFc("accumulate", LearnedArgs.SmallFcAccumulate.class);
    static final KernelSpec SMALL_FC_LOPT_ROW_MEANS = smallFc("row_means", LearnedArgs.SmallFcRowMeans.class);
    static final KernelSpec SMALL_FC_LOPT_FEATURE_SUMS = smallFc("feature_sums", LearnedArgs.SmallFcFeatureSums.class);
    static final KernelSpec SMALL_FC_LOPT_APPLY = smallFc("apply", LearnedArgs.SmallFcApply.class);
    static final KernelSpec SMALL_FC_LOPT_GRAD_NORMS = smallFc("grad_norms", LearnedArgs.SmallFcGradNorms.class);
    static final KernelSpec SMALL_FC_LOPT_CLIP = smallFc("clip", LearnedArgs.SmallFcClip.class);
    static final KernelSpec MLP_LOPT_ACCUMULATE = new KernelSpec("mlp_lopt_accumulate", LearnedArgs.MlpAccumulate.class, "mlp_lopt.ptx");
    static final KernelSpec MLP_LOPT_APPLY = new KernelSpec("mlp_lopt_apply", LearnedArgs.MlpApply.class, "mlp_lopt.ptx");
    static final KernelSpec VELO_LOSS_FEATURES = velo("loss_features", LearnedArgs.VeloLossFeatures.class);
    static final KernelSpec VELO_STATS = velo("stats", LearnedArgs.VeloStats.class);
    static final KernelSpec VELO_STATS_SUMS = velo("stats_sums", LearnedArgs.VeloStatsSums.class);
    static final KernelSpec VELO_LSTM_FEATURES = velo("lstm_features", LearnedArgs.VeloLstmFeatures.class);
    static final KernelSpec VELO_FEATURE_SUMS = velo("feature_sums", LearnedArgs.VeloFeatureSums.class);
    static final KernelSpec VELO_APPLY = velo("apply", LearnedArgs.VeloApply.class);
    static final KernelSpec L3RS_ACCUMULATE = new KernelSpec("l3rs_accumulate", LearnedArgs.L3rsAccumulate.class, "l3rs.ptx");
    static final KernelSpec L3RS_LAYER = new KernelSpec("l3rs_layer", LearnedArgs.L3rsLayer.class, "l3rs.ptx");
    static final KernelSpec L3RS_APPLY = new KernelSpec("l3rs_apply", LearnedArgs.L3rsApply.class, "l3rs.ptx");
    static final KernelSpec NEWTON_SCHULZ_LOAD = new KernelSpec("newton_schulz_load", LearnedArgs.NewtonSchulzLoad.class, "newton_schulz.ptx");
    static final KernelSpec NEWTON_SCHULZ_PRODUCT = new KernelSpec("newton_schulz_product", LearnedArgs.NewtonSchulzProduct.class, "newton_schulz.ptx");
    static final KernelSpec NEWTON_SCHULZ_STORE = new KernelSpec("newton_schulz_store", LearnedArgs.NewtonSchulzStore.class, "newton_schulz.ptx");
    static final KernelSpec CELO2_GRAD_NORMS = celo2("grad_norms", LearnedArgs.Celo2GradNorms.class);
    static final KernelSpec CELO2_MEMBER_SCALES = celo2("member_scales", LearnedArgs.Celo2MemberScales.class);
    static final KernelSpec CELO2_CLIP = celo2("clip", LearnedArgs.Celo2Clip.class);
    static final KernelSpec CELO2_FEATURE_SUMS = celo2("feature_sums", LearnedArgs.Celo2FeatureSums.class);
    static final KernelSpec CELO2_BLOCK_SCALES = celo2("block_scales", LearnedArgs.Celo2BlockScales.class);
    static final KernelSpec CELO2_MLP = celo2("mlp", LearnedArgs.Celo2Mlp.class);
    static final KernelSpec CELO2_STEP_SUMS = celo2("step_sums", LearnedArgs.Celo2StepSums.class);
    static final KernelSpec CELO2_APPLY = celo2("apply", LearnedArgs.Celo2Apply.class);
    static final KernelSpec CIAO_GLOBAL = new KernelSpec("ciao_global", LearnedArgs.CiaoGlobal.class, "ciao.ptx");
    static final KernelSpec CIAO_MOMENTS = new KernelSpec("ciao_moments", LearnedArgs.CiaoMoments.class, "ciao.ptx");
    static final KernelSpec CIAO_TENSORS = new KernelSpec("ciao_tensors", LearnedArgs.CiaoTensors.class, "ciao.ptx");
    static final KernelSpec CIAO_APPLY = new KernelSpec("ciao_apply", LearnedArgs.CiaoApply.class, "ciao.ptx");

    /** All entry points, in file order. */
    public static final List<KernelSpec> ALL = List.of(ELEMENTWISE_UNARY, ELEMENTWISE_BINARY, ELEMENTWISE_WHERE,
            ELEMENTWISE_FILL, ELEMENTWISE_COPY, REDUCE_BLOCKS, REDUCE_SERIAL, MATMUL_SGEMM, GATHER_ROWS, RANDOM_FILL,
            FUSED_GRAD_STATS_APPLY, FUSED_SGD_APPLY, FUSED_SGD_MOMENTUM, FUSED_ADAMW_APPLY, FUSED_NADAMW_APPLY,
            FUSED_RMSPROP_APPLY, FUSED_LION_APPLY, MLP_LOPT_ACCUMULATE, MLP_LOPT_APPLY, SMALL_FC_LOPT_ACCUMULATE,
            SMALL_FC_LOPT_ROW_MEANS, SMALL_FC_LOPT_FEATURE_SUMS, SMALL_FC_LOPT_APPLY, SMALL_FC_LOPT_GRAD_NORMS, SMALL_FC_LOPT_CLIP, VELO_LOSS_FEATURES, VELO_STATS,
            VELO_STATS_SUMS, VELO_LSTM_FEATURES, VELO_FEATURE_SUMS, VELO_APPLY, L3RS_ACCUMULATE, L3RS_LAYER, L3RS_APPLY,
            NEWTON_SCHULZ_LOAD, NEWTON_SCHULZ_PRODUCT, NEWTON_SCHULZ_STORE, CELO2_GRAD_NORMS, CELO2_MEMBER_SCALES, CELO2_CLIP,
            CELO2_FEATURE_SUMS, CELO2_BLOCK_SCALES, CELO2_MLP, CELO2_STEP_SUMS, CELO2_APPLY, CIAO_GLOBAL, CIAO_MOMENTS,
            CIAO_TENSORS, CIAO_APPLY);

    /** The records that twin the structs of common.cuh (passed by value). */
    public static final List<Class<? extends Record>> STRUCTS = List.of(Dims.class, View.class);

    private Kernels() {}

    private static KernelSpec smallFc(String phase, Class<? extends Record> args) {
        return new KernelSpec("small_fc_lopt_" + phase, args, "small_fc_lopt.ptx");
    }

    private static KernelSpec celo2(String phase, Class<? extends Record> args) {
        return new KernelSpec("celo2_" + phase, args, "celo2.ptx");
    }

    private static KernelSpec velo(String phase, Class<? extends Record> args) {
        return new KernelSpec("velo_" + phase, args, "velo.ptx");
    }
}
