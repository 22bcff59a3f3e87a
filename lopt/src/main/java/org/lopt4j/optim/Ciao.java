package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.LearnedOps.CiaoArgs;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * LHOPT's inner optimizer CIAO (lhopt.md §2): Adam with an AdaMax ('inf') or Adam denominator, bias corrections tracked
 * as recursions (the β's change while training), a global gradient-norm clip relative to the rolling maximum of the
 * norm, weight decay folded into the update or decoupled, and LAMB trust ratios from an EMA of each matrix update's
 * norm. A policy changes the hyperparameters between steps: build a new {@code Ciao} and go on with the same state.
 * The step is the backend's {@code LearnedOps.ciao} pass: the twin {@link CiaoRef} (float64 loops) on the CPU
 * backends, ciao.cu / ciao.cl on the devices.
 *
 * @param clipNorm             group_clip_grad_norm (0 = no clipping)
 * @param denominatorInf       'inf' denominator (running max of |g|) instead of Adam's √v̂
 * @param weightDecayInUpdate  adam_update_include_weight_decay: {@code u += wd·p}; otherwise {@code p ← p·(1 − lr_t·wd)}
 * @param lambPower            LAMB's power (0 = no LAMB)
 */
public record Ciao(double lr, double ombeta1, double ombeta2, double epsilon, double weightDecay, double clipNorm, double gradClipOmbeta,
                   boolean denominatorInf, boolean weightDecayInUpdate, double lambPower, double lambMinTrust, double lambMaxTrust,
                   boolean lambIgnoreVectors, double lambUpdateNormOmbeta) implements Optimizer<Ciao.State> {
    /** CIAO computes its features on every {@code FEATURE_EVERY}th step (lhopt.md: inner_feature_frequency 4). */
    public static final int FEATURE_EVERY = 4;

    /** The example config's settings. */
    public static Ciao lhopt() { return new Ciao(1e-3, 0.1, 1e-2, 1e-6, 1e-2, 0.8, 1e-2, true, true, 1, 1e-3, Double.POSITIVE_INFINITY, true, 0.05); }

    /** This CIAO with the hyperparameters a policy sets. */
    public Ciao with(double lr, double ombeta1, double ombeta2, double epsilon, double weightDecay, double clipNorm, double gradClipOmbeta,
                     double lambUpdateNormOmbeta) {
        return new Ciao(lr, ombeta1, ombeta2, epsilon, weightDecay, clipNorm, gradClipOmbeta, denominatorInf, weightDecayInUpdate, lambPower,
                lambMinTrust, lambMaxTrust, lambIgnoreVectors, lambUpdateNormOmbeta);
    }

    /**
     * Moments {@code m}, {@code v}; {@code perTensor} per tensor the bias-correction recursions bc1, bc2, the LAMB update
     * norm EMA, its correction and the last step's lr; {@code global} the rolling maximum gradient norm, the clip
     * coefficient and whether the last step clipped (both on the parameters' backend, so a step reads nothing back);
     * the step's tables and scratch; the {@link CiaoFeatures} of the last step (averaged over tensors, read back on the
     * steps that compute them: every {@link #FEATURE_EVERY}th; null on the others).
     */
    public record State(Slab m, Slab v, Tensor perTensor, Tensor global, Tables tables, double[] features, int step, int skipped)
            implements OptState<State> {
        @Override public Map<String, Slab> buffers() {
            Map<String, Slab> b = new LinkedHashMap<>();
            b.put("m", m);
            b.put("v", v);
            return b;
        }

        @Override public State copy() {
            return new State(m.copy(), v.copy(), copyOf(perTensor), copyOf(global), tables.fresh(), features == null ? null : features.clone(), step, skipped);
        }

        @Override public State withCounters(Map<String, Integer> c) {
            return new State(m, v, perTensor, global, tables, features, OptState.counter(c, "step"), OptState.counter(c, "skipped"));
        }

        private static Tensor copyOf(Tensor t) { return Tensor.zeros(t.backend(), t.dtype(), t.numel()).assign(t); }

        /** The rolling maximum of the global gradient norm (read from the backend). */
        public double rollingMax() { return global.toDoubleArray()[0]; }

        /** Whether the last step clipped the gradients (read from the backend). */
        public boolean didClip() { return global.toDoubleArray()[2] != 0; }
    }

    /** The read-only tables of a layout (chunks, each tensor's first chunk, which tensors are vectors) and a step's scratch (the gradient statistics among it). */
    public record Tables(SlabLayout layout, FusedOps.Chunks chunks, Tensor firstChunk, Tensor vector, Tensor gradStats, Tensor partials,
                         Tensor features) {
        static Tables of(SlabLayout l, Backend b, DType stats, DType params) {
            FusedOps.Chunks c = FusedOps.Chunks.of(l, b);
            int[] first = new int[l.count() + 1];
            org.lopt4j.tensor.ChunkTable ct = l.chunks(c.chunk());
            for (int t = 0, k = 0; t <= l.count(); t++) {
                while (k < ct.size() && ct.tensorOf(k) < t) k++;
                first[t] = k;
            }
            float[] vec = new float[Math.max(1, l.count())];
            for (int t = 0; t < l.count(); t++) vec[t] = l.shape(t).rank() <= 1 ? 1 : 0;
            return new Tables(l, c, Tensor.of(b, first, first.length), Tensor.of(b, vec, vec.length).to(stats), Tensor.zeros(b, params, 2),
                    Tensor.zeros(b, stats, Math.max(1, ct.size()) * CiaoArgs.SUMS), Tensor.zeros(b, stats, Math.max(1, l.count()) * CiaoArgs.FEATURES));
        }

        /** The same tables with scratch of their own. */
        Tables fresh() {
            return new Tables(layout, chunks, firstChunk, vector, Tensor.zeros(gradStats.backend(), gradStats.dtype(), 2),
                    Tensor.zeros(partials.backend(), partials.dtype(), partials.numel()),
                    Tensor.zeros(features.backend(), features.dtype(), features.numel()));
        }
    }

    @Override public State init(Slab params) {
        Backend b = params.backend();
        DType stats = b.fused().learned().statsType();
        int n = params.layout().count();
        return new State(params.zerosLike(), params.zerosLike(), Tensor.zeros(b, stats, Math.max(1, n) * CiaoArgs.PER_TENSOR), Tensor.zeros(b, stats, 3),
                Tables.of(params.layout(), b, stats, params.dtype()), null, 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        NonFiniteGuard.checkPair(params, grads);
        Tables t = s.tables();
        if (!params.layout().equals(t.layout())) throw new IllegalArgumentException("parameter slab " + params.layout().names() + " is not the layout this CIAO state was made for");
        // the statistics pass's Σg² is also the global norm the kernels clip with: one read of the gradients for both
        NonFiniteGuard.onDevice(NonFinitePolicy.SKIP_AND_COUNT, grads, grads, t.chunks(), 0, 0, t.gradStats());
        double[] st = t.gradStats().toDoubleArray();
        if (!NonFiniteGuard.admit(NonFinitePolicy.SKIP_AND_COUNT, new NonFiniteGuard.GradStats(st[0], (long) st[1]), grads)) return s.skip();
        boolean featuresNow = s.step() % FEATURE_EVERY == 0;
        params.backend().fused().learned().ciao(new CiaoArgs(params.layout(), params.flat(), grads.flat(), t.gradStats(), s.m().flat(), s.v().flat(), s.perTensor(),
                s.global(), t.chunks(), t.firstChunk(), t.partials(), featuresNow ? t.features() : null, t.vector(), lr, ombeta1, ombeta2, epsilon,
                weightDecay, clipNorm, gradClipOmbeta, denominatorInf, weightDecayInUpdate, lambPower, lambMinTrust, lambMaxTrust, lambIgnoreVectors,
                lambUpdateNormOmbeta));
        double[] features = null;
        if (featuresNow) {
            int n = params.layout().count();
            double[] all = t.features().toDoubleArray();
            features = new double[CiaoFeatures.COUNT];
            for (int k = 0; k < n; k++) for (int q = 0; q < features.length; q++) features[q] += all[k * CiaoArgs.FEATURES + q] / n;
        }
        return new State(s.m(), s.v(), s.perTensor(), s.global(), t, features, s.step() + 1, s.skipped());
    }

    @Override public String name() { return "ciao"; }
}
