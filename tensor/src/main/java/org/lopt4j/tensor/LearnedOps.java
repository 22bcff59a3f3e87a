package org.lopt4j.tensor;

/**
 * The learned-optimizer passes of a backend (STYLE §3.6), reached as {@code backend.fused().learned()} exactly as the
 * hand-designed optimizers reach {@link FusedOps}: every call runs its passes for every tensor of every population
 * member of a slab in a fixed number of launches. Each takes one argument record built once per optimizer state (the
 * tables) and step (the slabs); buffers are whole F32 tensors of the backend (F64 too on the CPU), tables I32.
 * Implementations: the plain-loop twins (the scalar backend; the definition the others are tested against) and the
 * Vector API kernels (the SIMD backend), both in {@code org.lopt4j.learned}, found through
 * {@link org.lopt4j.tensor.cpu.CpuLearnedKernels}; CUDA's and OpenCL's kernels (small_fc_lopt.cu, mlp_lopt.cu,
 * velo.cu and their .cl twins).
 */
public interface LearnedOps {
    /** Short name, e.g. "ref", "simd", "cuda". */
    String name();

    /** small_fc_lopt's whole step (small_fc_lopt.md): accumulate (momenta, RMS, accumulators, row means), feature_sums
     *  (the 28 features' sums of squares per tensor), apply (normalized and time features through the member's MLP). */
    void smallFcLopt(SmallFcLoptArgs a);

    /** MLPLOpt's whole step (mlp_lopt.md): accumulate with feature_sums (six momenta, the 8 features' squares), apply. */
    void mlpLopt(MlpLoptArgs a);

    /** VeLO's loss buffers (velo.md §4), one per tensor: a fresh one (counter 0) starts over; {@code losses[m]} updates
     *  it; 9 loss features to {@code lossFeatures} (tensors × 9), freshness to {@code fresh}; the update count advances. */
    void veloLossFeatures(VeloArgs a);

    /** VeLO's first per-element pass (velo.md §5): per tensor the sums {@code [Σp², Σv, Σv², Σm_k, Σm_k²]} of the state
     *  before the update into {@code stats} (tensors × 9, {@link #statsType()}), then accumulate from the clipped gradient. */
    void veloAccumulate(VeloArgs a);

    /** VeLO's 30 LSTM features per tensor (velo.md §5) into {@code lstmInputs} from the statistics, loss features and the
     *  training fraction (updates so far / numSteps); each tensor's {@code sqrt(Σp²/n + 1e-9)·0.001} into {@code paramScale}. */
    void veloLstmFeatures(VeloArgs a);

    /** VeLO's second per-element pass, after its tensor network: feature_sums (30 MLP features) and apply through each
     *  tensor's mixed MLP: {@code p ← p − step[t]·out0·exp(0.001·out1)}. */
    void veloApply(VeloArgs a);

    /** L3RS's whole step (narrowing_l3rs.md §2): accumulate (base optimizers' state, per-chunk sums), layer (per tensor:
     *  features through the member's MLP to λ and μ), apply ({@code p ← p − λ·Σ_q μ_q·d_q/(‖d_q‖ + 1e-12)}). */
    void l3rs(L3rsArgs a);

    /** Newton–Schulz (CELO2's and Muon's quintic, celo2.md §1.2) of every matrix of a table, in place, in a fixed number
     *  of launches whatever their number: per matrix the Frobenius norm, 5 × three grouped products, the store. */
    void newtonSchulz(NewtonSchulzArgs a);

    /** CELO2's and ELO-CELO2's whole step (celo2.md §1–§2): clips, accumulate, per-block feature scales, the split MLP,
     *  Newton–Schulz of every block, the step's per-block scales, apply (rank ≤ 1 tensors: AdamW). */
    void celo2(Celo2Args a);

    /** LHOPT's inner optimizer CIAO's step (lhopt.md §2–§3): the global norm and its rolling-max clip, moments, per tensor
     *  bias corrections, LAMB's trust ratio and (when {@code features} is given) the 13 inner features, apply. */
    void ciao(CiaoArgs a);

    /** The dtype of {@link VeloArgs#stats()}: exact double sums on the CPU, float on devices. */
    default DType statsType() { return DType.F32; }

    /**
     * The Adafactor-style accumulator state small_fc_lopt and VeLO share, with its tables: the slabs ({@code layout}
     * is the parameters'; momenta {@code m0..m2}, RMS {@code v}, row or diagonal accumulators {@code r0..r2}, column
     * accumulators {@code c0..c2}); {@code decays} {@link #DECAYS} floats per member (momentum ×3, rms, adafactor ×3,
     * then 1 − each); {@code info} {@link #FIELDS} ints per tensor indexed by the constants below (learned_rule.cuh's
     * SFL_* fields); the slab's chunk table; the factored tensors' row, column and row-mean tables
     * ({@code auxChunk} entries per chunk); {@code firstChunk} (tensors + 1) each tensor's first entry in the slab's
     * table; {@code rowMean} (3 × meanTotal) scratch. {@code count} (one float per tensor, {@code countStride} apart)
     * is each tensor's member's update count, which the step advances; {@code gradStats} holds the gradient statistics pass's {@code [Σg²,
     * non-finite count]}: when {@code skipNonFinite} is 1 and the count is not 0, the step changes nothing but
     * {@code skips[0]}, which it advances (the decision stays on the device).
     */
    record FactoredArgs(SlabLayout layout, Tensor params, Tensor grads, Tensor m0, Tensor m1, Tensor m2, Tensor v,
                        Tensor r0, Tensor r1, Tensor r2, Tensor c0, Tensor c1, Tensor c2, Tensor decays, Tensor info,
                        Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                        Tensor rowTensorOf, Tensor rowStartOf, Tensor colTensorOf, Tensor colStartOf,
                        Tensor meanTensorOf, Tensor meanStartOf, int auxChunk, Tensor firstChunk,
                        Tensor rowMean, int meanTotal, Tensor count, int countStride, Tensor gradStats, int skipNonFinite,
                        Tensor skips) {
        /**
         * Fields of {@code info}: the tensor's member, whether factored, accumulator offsets, index strides, sizes, and
         * the number of its axes longer than 1.
         */
        public static final int MEMBER = 0, FACTORED = 1, ROW_OFFSET = 2, COL_OFFSET = 3, MEAN_OFFSET = 4, LO0 = 5, SPAN0 = 6,
                LO1 = 7, SPAN1 = 8, LOR = 9, SPANR = 10, N0 = 11, N1 = 12, ROWS = 13, COLS = 14, MEANS = 15, BIG_DIMS = 16,
                FIELDS = 17;
        /** Floats per member in {@code decays}. */
        public static final int DECAYS = 14;

        /** Number of population members (rows of {@code decays}). */
        public int members() { return decays.numel() / DECAYS; }
    }

    /**
     * Arguments of {@link #smallFcLopt}: the accumulator state; {@code theta} each member's MLP packed layer by layer
     * (weights [in × out], then bias), {@code thetaStride} floats apart, {@code layers} layers of width {@code hidden}
     * after the input; the 11 time features come from each tensor's update count before the step;
     * {@code q = p − stepScale·tensorScales[t]·d·exp(expMult·m)} (tensorScales: a float per tensor),
     * {@code p ← q − paramDecay·q} (PyLO's weight decay: lr·wd). With
     * {@code maxGradNorm > 0} each tensor's g is first scaled in place by {@code min(1, maxGradNorm/(‖g‖ + 1e-6))}
     * (torch's clip_grad_norm_ per tensor; {@code normPartials}, a float per chunk, its scratch, else null).
     */
    record SmallFcLoptArgs(FactoredArgs state, Tensor theta, int thetaStride, int hidden, int layers,
                           double expMult, double stepScale, Tensor tensorScales, double paramDecay, double maxGradNorm, Tensor normPartials) {
        /** The widest MLP layer and the most layers the kernels take; the features normalized per tensor. */
        public static final int MAX_WIDTH = 64, MAX_LAYERS = 8, FEATURES = 28;
    }

    /**
     * Arguments of {@link #mlpLopt}: the six momentum slabs {@code m0..m5} ({@code layout} the parameters'),
     * {@code decays} the six decays then 1 − each; {@code theta} each member's MLP packed as in
     * {@link SmallFcLoptArgs}, layer widths {@code widths} (I32, {@code layers + 1}; {@code widest} the largest);
     * tensor t belongs to member {@code t / perMember}; the chunk table; the rest as in {@link FactoredArgs}.
     */
    record MlpLoptArgs(SlabLayout layout, Tensor params, Tensor grads, Tensor m0, Tensor m1, Tensor m2, Tensor m3, Tensor m4,
                       Tensor m5, Tensor decays, Tensor theta, int thetaStride, Tensor widths, int widest, int layers,
                       int perMember, Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk,
                       Tensor firstChunk, double expMult, double stepMult, Tensor count, int countStride, Tensor gradStats,
                       int skipNonFinite, Tensor skips) {
        /** The features normalized per tensor: g, p and the six momenta. */
        public static final int FEATURES = 8;
    }

    /**
     * Arguments of VeLO's passes: the accumulator state ({@code grads} the clipped gradient, {@code decays} VeLO's
     * fixed decays per member); {@code lossBuffer} 21 floats per tensor ([it, 10 means, 10 running minima],
     * {@code lossStride} apart); {@code losses} the members' losses; {@code lossFeatures} (tensors × 9) and {@code fresh} what
     * {@link #veloLossFeatures} leaves; {@code stats} (tensors × 9) the statistics; {@code lstmInputs} (tensors × 30) and
     * {@code paramScale} (tensors) what {@link #veloLstmFeatures} leaves; {@code numSteps} the planned steps;
     * {@code mixed} each tensor's mixed MLP (159 floats: w0 30×4, b0, w1 4×4, b1, w2 4×3, b2) and {@code step} each
     * tensor's step multiplier, from the tensor network (null before it); {@code q = p − lr·step}, {@code p ← q − paramDecay·q}.
     */
    record VeloArgs(FactoredArgs state, Tensor lossBuffer, int lossStride, Tensor losses, Tensor lossFeatures, Tensor fresh,
                    Tensor stats, Tensor lstmInputs, Tensor paramScale, int numSteps, Tensor mixed, Tensor step, double lr, double paramDecay) {
        /** Statistics and loss features per tensor, LSTM inputs, floats of a loss buffer and a mixed MLP, MLP features. */
        public static final int STATS = 9, LOSS_FEATURES = 9, LSTM_INPUTS = 30, LOSS_BUFFER = 21, MIXED = 159, FEATURES = 30;

        /** The same buffers with the tensor network's outputs. */
        public VeloArgs withMlp(Tensor mixed, Tensor step) {
            return new VeloArgs(state, lossBuffer, lossStride, losses, lossFeatures, fresh, stats, lstmInputs, paramScale, numSteps,
                    mixed, step, lr, paramDecay);
        }
    }

    /**
     * Arguments of {@link #l3rs}: params, grads and the base optimizers' state {@code b}, {@code m}, {@code v} alike;
     * {@code ema} ({@link #EMA} floats a tensor, {@code emaStride} apart: ‖p‖, ‖g‖, loss at three decays); each
     * member's {@code losses}; {@code theta} per member its MLP packed as in {@link SmallFcLoptArgs} then its
     * {@code perMember} embeddings ({@link #EMBED} each), {@code thetaStride} apart; the chunk table; scratch
     * {@code partials} (chunks × {@link #SUMS}) and {@code layerOut} (tensors × {@link #LAYER_OUT}: λ, μ, inverse
     * direction norms); {@code numSteps}, {@code lambda0}, {@code scaleByNorm} (λ ∝ ‖p‖); the rest as {@link FactoredArgs}.
     */
    record L3rsArgs(SlabLayout layout, Tensor params, Tensor grads, Tensor b, Tensor m, Tensor v, Tensor ema, int emaStride,
                    Tensor losses, Tensor theta, int thetaStride, Tensor widths, int widest, int perMember,
                    Tensor tensorOf, Tensor startOf, Tensor offsets, Tensor sizes, int chunk, Tensor firstChunk,
                    Tensor partials, Tensor layerOut, int numSteps, double lambda0, int scaleByNorm,
                    Tensor count, int countStride, Tensor gradStats, int skipNonFinite, Tensor skips) {
        /** Directions (SGD, heavy ball, Adam, sign), EMA, time and embedding features, MLP in/out, sums per chunk, layerOut floats. */
        public static final int DIRECTIONS = 4, EMA = 9, TIME = 3, EMBED = 4, FEATURES = EMA + TIME + EMBED, OUTPUTS = 1 + DIRECTIONS,
                SUMS = 5, LAYER_OUT = 1 + 2 * DIRECTIONS, MAX_WIDTH = 64;
    }

    /**
     * Arguments of {@link #newtonSchulz}: {@code x} the slab holding the row-major matrices; {@code matrices} (I32,
     * {@link #FIELDS} ints each) a matrix's offset in {@code x}, rows, columns, the offset of its scratch in {@code work}
     * (2·r·c + 2·r² floats, r the smaller side), the first of its {@link #TILE}² tiles of an r×r product and of an r×c
     * one (running sums over the table: {@code squareTiles}, {@code rectTiles} in all); each result is multiplied by
     * {@code scales[m]} (F32, one per matrix); the norm is {@code ‖x‖ + eps}.
     */
    record NewtonSchulzArgs(Tensor x, Tensor matrices, int count, Tensor work, int squareTiles, int rectTiles, Tensor scales, double eps) {
        /** Fields of {@code matrices}, and the side of a product tile. */
        public static final int OFFSET = 0, ROWS = 1, COLS = 2, WORK = 3, SQUARE_TILE = 4, RECT_TILE = 5, FIELDS = 6, TILE = 16;
    }

    /**
     * Arguments of {@link #celo2}: the accumulator state at CELO2's decays; {@code theta} each member's MLP packed
     * (w0 [30 × h] feature-major, b0 [h], w1 [h × h], b1 [h], w2 [h × 3], b2 [3]; h = {@code hidden}), {@code thetaStride} apart; tensor t is member {@code t / perMember}'s; {@code adamM},
     * {@code adamV} the AdamW branch's moments (null: ELO-CELO2's, over {@code m0} and {@code v}); the blocks (each
     * rank ≥ 2 tensor's [rows × cols] matrices over its last two axes): {@code blocks} ({@link #BLOCK_FIELDS} ints a
     * block), {@code tensorBlock} each tensor's first block (−1: AdamW branch), their chunk table ({@code blockOf},
     * {@code blockStart}, entries of {@code blockChunk} elements); scratch {@code step} (the params' size),
     * {@code partials} (block chunks × 30), {@code blockScales} (blocks × 30), {@code memberScales} (members),
     * {@code normPartials} (slab chunks); {@code ns} the blocks' Newton–Schulz over {@code step} when
     * {@code orthogonalize}. The tables and scratch are the device kernels' (null on the CPU, whose twins read the layout).
     */
    record Celo2Args(FactoredArgs state, Tensor theta, int thetaStride, int hidden, int perMember, Tensor adamM, Tensor adamV,
                     Tensor blocks, int blockCount, Tensor tensorBlock, Tensor blockOf, Tensor blockStart, int blockChunk,
                     Tensor step, Tensor partials, Tensor blockScales, Tensor memberScales, Tensor normPartials, boolean orthogonalize, NewtonSchulzArgs ns,
                     double lr, double weightDecay, double adamLr, double adamWeightDecay, double clipNorm, double gradClipVal, double expMult) {
        /** Block fields: flat offset, index inside its tensor, rows, columns, tensor, first entry and count of its chunks. */
        public static final int OFFSET = 0, LOCAL = 1, ROWS = 2, COLS = 3, TENSOR = 4, FIRST_CHUNK = 5, CHUNKS = 6, BLOCK_FIELDS = 7;
        /** The MLP's inputs; the widest hidden layer the device kernels take. */
        public static final int FEATURES = 30, MAX_HIDDEN = 32;
    }

    /**
     * Arguments of {@link #ciao}: {@code gradStats} the step's gradient statistics ([Σg², non-finite count], the
     * device kernels read the global norm from it); the moments {@code m}, {@code v}; {@code perTensor} ({@link #PER_TENSOR} a tensor: bc1,
     * bc2, LAMB's norm EMA and its correction, this step's lr), {@code global} (rolling max, clip coefficient, whether it
     * clipped), the statistics dtype of {@link #statsType()}; the chunk table and each tensor's first chunk; scratch
     * {@code partials} ({@link #SUMS} a chunk); {@code features} (tensors × 13) or null; {@code vector} per tensor 1 for rank ≤ 1
     * (LAMB may ignore those); the hyperparameters as lhopt.md §2 names them.
     */
    record CiaoArgs(SlabLayout layout, Tensor params, Tensor grads, Tensor gradStats, Tensor m, Tensor v, Tensor perTensor, Tensor global, FusedOps.Chunks chunks,
                    Tensor firstChunk, Tensor partials, Tensor features, Tensor vector, double lr, double ombeta1, double ombeta2,
                    double epsilon, double weightDecay, double clipNorm, double gradClipOmbeta, boolean denominatorInf, boolean weightDecayInUpdate,
                    double lambPower, double lambMinTrust, double lambMaxTrust, boolean lambIgnoreVectors, double lambUpdateNormOmbeta) {
        /** Floats per tensor in perTensor and per chunk in partials; the features. */
        public static final int PER_TENSOR = 5, SUMS = 10, FEATURES = 13;
    }
}
