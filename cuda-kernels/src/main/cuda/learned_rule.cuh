// learned_rule.cuh: the per-element and per-tensor rules of the learned optimizers in the C subset CUDA C++ and OpenCL
// C share; no entry points. small_fc_lopt.cu, mlp_lopt.cu and velo.cu include it; the OpenCL backend compiles it in
// front of their .cl twins (Maven copies it onto the class path beside the .cl files), so both backends run the same feature, MLP, time-feature and VeLO
// loss-buffer code. Java twins: org.lopt4j.learned.smallfc.SmallFcLoptRef, velo.VeloRef (plain loops in double),
// PlainMlp, TimeFeatures and velo.VeloLossBuffer.
#ifndef LOPT4J_LEARNED_RULE_CUH
#define LOPT4J_LEARNED_RULE_CUH

#ifdef __OPENCL_VERSION__
#define LOPT_FN inline
#define LOPT_GLOBAL __global
#define LOPT_SQRT(x) sqrt(x)
#define LOPT_EXP(x) exp(x)
#define LOPT_LOG(x) log(x)
#define LOPT_LOG10(x) log10(x)
#define LOPT_POW(x, y) pow(x, y)
#define LOPT_TANH(x) tanh(x)
#define LOPT_SIN(x) sin(x)
#define LOPT_COS(x) cos(x)
#define LOPT_FABS(x) fabs(x)
#define LOPT_MAX(x, y) fmax(x, y)
#define LOPT_MIN(x, y) fmin(x, y)
#define LOPT_NEG_INF (-INFINITY)
#define LOPT_LONG long
#else
#define LOPT_FN __device__ __forceinline__
#define LOPT_GLOBAL
#define LOPT_SQRT(x) sqrtf(x)
#define LOPT_EXP(x) expf(x)
#define LOPT_LOG(x) logf(x)
#define LOPT_LOG10(x) log10f(x)
#define LOPT_POW(x, y) powf(x, y)
#define LOPT_TANH(x) tanhf(x)
#define LOPT_SIN(x) sinf(x)
#define LOPT_COS(x) cosf(x)
#define LOPT_FABS(x) fabsf(x)
#define LOPT_MAX(x, y) fmaxf(x, y)
#define LOPT_MIN(x, y) fminf(x, y)
#define LOPT_NEG_INF (-__int_as_float(0x7f800000))
#define LOPT_LONG long long
#endif

// small_fc_lopt: 28 normalized features, 11 time features, the MLP's widest layer, decays per member.
#define SFL_FEATURES 28
#define SFL_TIME 11
#define SFL_INPUTS 39
#define SFL_MAX_WIDTH 64
#define SFL_DECAYS 14

// Fields of the per-tensor info table (SFL_FIELDS ints per tensor; Java twin: LearnedOps.FactoredArgs, built by
// org.lopt4j.learned.smallfc.FactoredTables): the population member; 1 when factored; offsets into the row (or
// diagonal) accumulators, the column accumulators and the row-mean scratch; FactoredDims' strides (row index
// e/SPAN0*LO0 + e%LO0, column index e/SPAN1*LO1 + e%LO1, row-mean index r/SPANR*LOR + r%LOR); the sizes of axes d0
// and d1; the counts of rows, columns and row means; the number of axes longer than 1.
#define SFL_MEMBER 0
#define SFL_FACTORED 1
#define SFL_ROW_OFFSET 2
#define SFL_COL_OFFSET 3
#define SFL_MEAN_OFFSET 4
#define SFL_LO0 5
#define SFL_SPAN0 6
#define SFL_LO1 7
#define SFL_SPAN1 8
#define SFL_LOR 9
#define SFL_SPANR 10
#define SFL_N0 11
#define SFL_N1 12
#define SFL_ROWS 13
#define SFL_COLS 14
#define SFL_MEANS 15
#define SFL_BIG_DIMS 16
#define SFL_FIELDS 17

// Decays of one member (SFL_DECAYS floats): momentum 0..2, rms, adafactor 0..2, then 1 - each (formed in double).
#define SFL_MOM 0
#define SFL_RMS 3
#define SFL_ADA 4
#define SFL_ONE_MINUS 7

// Whether a step must change nothing: the policy skips steps with non-finite gradients (skip_nonfinite 1) and the
// gradient statistics pass counted some (grad_stats[1], after its sum of squares).
#define LOPT_SKIPS(grad_stats, skip_nonfinite) ((skip_nonfinite) != 0 && (grad_stats)[1] != 0.0f)

// Time feature k at update count t (TimeFeatures): tanh(t / tau_k - 1).
LOPT_FN float lopt_time_feature(float t, int k) {
    const float tau[SFL_TIME] = {1.0f, 3.0f, 10.0f, 30.0f, 100.0f, 300.0f, 1e3f, 3e3f, 1e4f, 3e4f, 1e5f};
    return LOPT_TANH(t / tau[k] - 1.0f);
}

// 1/sqrt(max(x, 1e-9)): learned_optimization's safe_rsqrt.
LOPT_FN float sfl_safe_rsqrt(float x) { return 1.0f / LOPT_SQRT(LOPT_MAX(x, 1e-9f)); }

// The Adafactor-style features of one element (small_fc_lopt.md section 6, velo.md section 8) into x at the given
// slots: g, p, the RMS accumulator v, rs = 1/sqrt(v + 1e-6), and per decay k (slot + k) the momentum m[k], m[k]*rs,
// g*fac, the row and column features, their 1/sqrt(. + 1e-8), and m[k]*mfac. a[k] is the diagonal accumulator of an
// unfactored tensor or the row accumulator of a factored one, b[k] its column accumulator and mean[k] the row
// accumulator's mean across d1 (both read only when factored); m_eps is the unfactored mfac's epsilon.
LOPT_FN void lopt_adafactor_features(float g, float p, float v, const float* m, int factored, const float* a,
                                     const float* b, const float* mean, float m_eps, int s_g, int s_p, int s_v,
                                     int s_rs, int s_m, int s_mrs, int s_gfac, int s_row, int s_col, int s_rrs,
                                     int s_crs, int s_mmfac, float* x) {
    const float rs = 1.0f / LOPT_SQRT(v + 1e-6f);
    x[s_g] = g;
    x[s_p] = p;
    x[s_v] = v;
    x[s_rs] = rs;
    for (int k = 0; k < 3; k++) {
        float row_feat, col_feat, g_fac, m_fac;
        if (factored) {
            row_feat = a[k];
            col_feat = b[k];
            g_fac = sfl_safe_rsqrt(a[k] / (mean[k] + 1e-9f)) * sfl_safe_rsqrt(b[k]);
            m_fac = g_fac;
        } else {
            row_feat = a[k];
            col_feat = a[k];
            g_fac = sfl_safe_rsqrt(a[k] + 1e-9f);
            m_fac = 1.0f / LOPT_SQRT(a[k] + m_eps);
        }
        x[s_m + k] = m[k];
        x[s_mrs + k] = m[k] * rs;
        x[s_gfac + k] = g * g_fac;
        x[s_row + k] = row_feat;
        x[s_col + k] = col_feat;
        x[s_rrs + k] = 1.0f / LOPT_SQRT(row_feat + 1e-8f);
        x[s_crs + k] = 1.0f / LOPT_SQRT(col_feat + 1e-8f);
        x[s_mmfac + k] = m[k] * m_fac;
    }
}

// small_fc_lopt's 28 features into x[0..28).
LOPT_FN void sfl_features(float g, float p, float v, const float* m, int factored, const float* a, const float* b,
                          const float* mean, float* x) {
    lopt_adafactor_features(g, p, v, m, factored, a, b, mean, 1e-6f, 0, 1, 5, 9, 2, 6, 10, 13, 16, 19, 22, 25, x);
}

// Loads the accumulators element i (index e inside its tensor, whose info row is `in`) reads: per decay k, a[k] = the
// diagonal accumulator (unfactored) or the row accumulator, b[k] the column accumulator and mean[k] the row
// accumulator's mean across d1 (zeros when unfactored). row_mean holds 3 blocks of mean_total row means.
LOPT_FN void lopt_load_acc(LOPT_GLOBAL const int* in, int e, LOPT_GLOBAL const float* r0,
                           LOPT_GLOBAL const float* r1, LOPT_GLOBAL const float* r2, LOPT_GLOBAL const float* c0,
                           LOPT_GLOBAL const float* c1, LOPT_GLOBAL const float* c2,
                           LOPT_GLOBAL const float* row_mean, int mean_total, float* a, float* b, float* mean) {
    if (in[SFL_FACTORED]) {
        // 32-bit index arithmetic: a tensor has fewer than 2^31 elements, and 64-bit division is slow on GPUs
        const int row = e / in[SFL_SPAN0] * in[SFL_LO0] + e % in[SFL_LO0];
        const int col = e / in[SFL_SPAN1] * in[SFL_LO1] + e % in[SFL_LO1];
        const int rm = row / in[SFL_SPANR] * in[SFL_LOR] + row % in[SFL_LOR];
        const LOPT_LONG ro = in[SFL_ROW_OFFSET] + row, co = in[SFL_COL_OFFSET] + col, mo = in[SFL_MEAN_OFFSET] + rm;
        a[0] = r0[ro];
        a[1] = r1[ro];
        a[2] = r2[ro];
        b[0] = c0[co];
        b[1] = c1[co];
        b[2] = c2[co];
        mean[0] = row_mean[mo];
        mean[1] = row_mean[mean_total + mo];
        mean[2] = row_mean[2 * (LOPT_LONG)mean_total + mo];
    } else {
        const LOPT_LONG ro = in[SFL_ROW_OFFSET] + e;
        a[0] = r0[ro];
        a[1] = r1[ro];
        a[2] = r2[ro];
        b[0] = b[1] = b[2] = 0.0f;
        mean[0] = mean[1] = mean[2] = 0.0f;
    }
}

// small_fc_lopt's 28 features of element i (index e in its tensor) into x.
LOPT_FN void sfl_load_features(LOPT_GLOBAL const int* in, int e, LOPT_LONG i, LOPT_GLOBAL const float* params,
                               LOPT_GLOBAL const float* grads, LOPT_GLOBAL const float* m0, LOPT_GLOBAL const float* m1,
                               LOPT_GLOBAL const float* m2, LOPT_GLOBAL const float* v, LOPT_GLOBAL const float* r0,
                               LOPT_GLOBAL const float* r1, LOPT_GLOBAL const float* r2, LOPT_GLOBAL const float* c0,
                               LOPT_GLOBAL const float* c1, LOPT_GLOBAL const float* c2,
                               LOPT_GLOBAL const float* row_mean, int mean_total, float* x) {
    float m[3], a[3], b[3], mean[3];
    m[0] = m0[i];
    m[1] = m1[i];
    m[2] = m2[i];
    lopt_load_acc(in, e, r0, r1, r2, c0, c1, c2, row_mean, mean_total, a, b, mean);
    sfl_features(grads[i], params[i], v[i], m, in[SFL_FACTORED], a, b, mean, x);
}

// VeLO: 30 MLP features, 9 per-tensor statistics, the mixed MLP 30 -> 4 -> 4 -> 3 (VELO_MLP floats per tensor).
#define VELO_FEATURES 30
#define VELO_STATS 9
#define VELO_MLP 159

// VeLO's 30 MLP features (velo.md section 8, VeloRef.mlpFeatures) of element i (index e in its tensor) into x, from the
// clipped gradient, p before the update and the updated accumulators. Unlike small_fc_lopt, the unfactored m * mfac
// column has no epsilon (upstream).
LOPT_FN void velo_load_features(LOPT_GLOBAL const int* in, int e, LOPT_LONG i, LOPT_GLOBAL const float* params,
                                LOPT_GLOBAL const float* grads, LOPT_GLOBAL const float* m0, LOPT_GLOBAL const float* m1,
                                LOPT_GLOBAL const float* m2, LOPT_GLOBAL const float* v, LOPT_GLOBAL const float* r0,
                                LOPT_GLOBAL const float* r1, LOPT_GLOBAL const float* r2, LOPT_GLOBAL const float* c0,
                                LOPT_GLOBAL const float* c1, LOPT_GLOBAL const float* c2,
                                LOPT_GLOBAL const float* row_mean, int mean_total, float* x) {
    float m[3], a[3], b[3], mean[3];
    m[0] = m0[i];
    m[1] = m1[i];
    m[2] = m2[i];
    lopt_load_acc(in, e, r0, r1, r2, c0, c1, c2, row_mean, mean_total, a, b, mean);
    const float g = grads[i], vi = v[i];
    lopt_adafactor_features(g, params[i], vi, m, in[SFL_FACTORED], a, b, mean, 0.0f, 0, 2, 6, 10, 3, 7, 11, 15, 18, 21,
                            24, 27, x);
    x[1] = LOPT_MAX(-0.1f, g < 0.1f ? g : 0.1f);
    x[14] = g * x[10];
}

// VeLO's loss buffer (velo.md section 4, VeloLossBuffer): 21 floats [it, 10 EMA means, 10 running minima]; loss
// features per tensor; the LSTM's 30 inputs.
#define VELO_LOSS_SIZE 10
#define VELO_LOSS_BUFFER 21
#define VELO_LOSS_FEATURES 9
#define VELO_LSTM_INPUTS 30

// One update of a loss buffer with `loss` over num_steps planned steps (a fresh buffer, counter 0, starts over), then
// its 9 features into f (zeros while the counter is at most 2). Returns 1 when the buffer was fresh.
LOPT_FN int velo_loss_step(LOPT_GLOBAL float* buf, float loss, int num_steps, float* f) {
    const int n = (int)buf[0], fresh = n == 0;
    float means[VELO_LOSS_SIZE], run_min[VELO_LOSS_SIZE], decay[VELO_LOSS_SIZE];
    const float hi = LOPT_LOG10((float)(num_steps > 10 ? num_steps : 10));
    float amax = LOPT_NEG_INF;
    for (int i = 0; i < VELO_LOSS_SIZE; i++) {
        const float e = 1.0f + (hi - 1.0f) * i / (VELO_LOSS_SIZE - 1);
        decay[i] = LOPT_EXP(-1.0f / LOPT_POW(10.0f, e));
        means[i] = fresh ? 0.0f : buf[1 + i];
        run_min[i] = fresh ? 999999999999.0f : buf[1 + VELO_LOSS_SIZE + i];
        amax = LOPT_MAX(amax, means[i] / (1.0f - LOPT_POW(decay[i], (float)(n + 1))));
    }
    if (n == 0) amax = loss;
    const float clipped = LOPT_MIN(2.0f * LOPT_FABS(amax), loss);
    for (int i = 0; i < VELO_LOSS_SIZE; i++) {
        means[i] = means[i] * decay[i] + clipped * (1.0f - decay[i]);
        run_min[i] = LOPT_MIN(run_min[i], means[i] / (1.0f - LOPT_POW(decay[i], (float)(n + 1))));
        buf[1 + i] = means[i];
        buf[1 + VELO_LOSS_SIZE + i] = run_min[i];
    }
    buf[0] = (float)(n + 1);
    for (int i = 0; i + 1 < VELO_LOSS_SIZE; i++) f[i] = 0.0f;
    if (n + 1 <= 2) return fresh;
    float cm[VELO_LOSS_SIZE];
    for (int i = 0; i < VELO_LOSS_SIZE; i++) cm[i] = means[i] / (1.0f - LOPT_POW(decay[i], (float)(n + 1)));
    for (int i = 0; i + 1 < VELO_LOSS_SIZE; i++) {
        const float x = (cm[i] - run_min[i]) / LOPT_MAX(1e-8f, cm[i + 1] - run_min[i]) - 1.0f;
        f[i] = LOPT_MAX(-1.0f, LOPT_MIN(1.0f, x));
    }
    return fresh;
}

// clip(0.5 * log(1e-8 + |10 u|), -2.5, 2.5): VeLO's log feature.
LOPT_FN float velo_clog(float u) { return 0.5f * LOPT_MAX(-5.0f, LOPT_MIN(5.0f, LOPT_LOG(1e-8f + LOPT_FABS(10.0f * u)))); }

// VeLO's 30 LSTM inputs of one tensor (velo.md section 5, VeloRef.lstmFeaturesFromSums) into x, from its sums
// s = [sum p^2, sum v, sum v^2, sum m_k, sum m_k^2] over n elements, the training fraction, its loss features lf and
// its number of axes longer than 1; returns its parameter scale sqrt(sum p^2 / n + 1e-9) * 0.001.
LOPT_FN float velo_lstm_inputs(LOPT_GLOBAL const float* s, int n, float frac, LOPT_GLOBAL const float* lf, int big, float* x) {
    const float fractions[9] = {0.03f, 0.1f, 0.2f, 0.4f, 0.6f, 0.8f, 0.9f, 1.0f, 1.1f};
    const float nn = (float)(n > 1 ? n : 1), sc = 1.0f / LOPT_SQRT(LOPT_MAX(1e-9f, s[0] / nn));
    for (int i = 0; i < 9; i++) x[i] = LOPT_TANH(10.0f * (frac - fractions[i]));
    for (int i = 0; i < 9; i++) x[9 + i] = lf[i];
    x[18] = velo_clog(sc * s[1] / nn);
    for (int i = 0; i < 5; i++) x[19 + i] = big == i ? 1.0f : 0.0f;
    const float ev = sc * s[1] / nn, ev2 = sc * sc * s[2] / nn;
    for (int k = 0; k < 3; k++) {
        const float mean = sc * s[3 + 2 * k] / nn, em2 = sc * sc * s[4 + 2 * k] / nn;
        x[24 + k] = velo_clog(LOPT_MAX(0.0f, em2 - mean * mean));
        x[27 + k] = velo_clog(LOPT_MAX(0.0f, ev2 - 2.0f * mean * ev + mean * mean));
    }
    return LOPT_SQRT(s[0] / nn + 1e-9f) * 0.001f;
}

// The widest MLP layer and the most weight layers the kernels take.
#define LOPT_MAX_LAYERS 8

// The MLP of one member: weight layer l maps widths[l] to widths[l + 1] values, weights [in x out] row-major then the
// bias [out], packed layer after layer from w; ReLU after every layer but the last, whose outputs end in x[0..). x
// holds the widths[0] inputs; x and y are scratch of SFL_MAX_WIDTH floats.
LOPT_FN void lopt_mlp_layers(LOPT_GLOBAL const float* w, const int* widths, int layers, float* x, float* y) {
    for (int l = 0; l < layers; l++) {
        const int in = widths[l], width = widths[l + 1];
        LOPT_GLOBAL const float* bias = w + in * width;
        for (int j = 0; j < width; j++) {
            float acc = bias[j];
            for (int i = 0; i < in; i++) acc += x[i] * w[i * width + j];
            y[j] = l + 1 == layers ? acc : LOPT_MAX(acc, 0.0f);
        }
        for (int j = 0; j < width; j++) x[j] = y[j];
        w = bias + width;
    }
}

// lopt_mlp_layers, then the first two outputs (direction, log-magnitude) into out[0..2).
LOPT_FN void lopt_mlp(LOPT_GLOBAL const float* w, const int* widths, int layers, float* x, float* y, float* out) {
    lopt_mlp_layers(w, widths, layers, x, y);
    out[0] = x[0];
    out[1] = x[1];
}

// An MLP with compile-time widths IN -> H1 -> H2 -> OUT (ReLU after the hidden layers; out[0..2) = the first two
// outputs), packed as lopt_mlp reads it: constant loop bounds let the compiler keep the activations in registers
// instead of a stack frame. The kernels call these for the shapes lopt4j ships and lopt_mlp for any other.
#define LOPT_UNROLL _Pragma("unroll")
#define LOPT_MLP_FIXED(NAME, IN, H1, H2, OUT)                                                        \
    LOPT_FN void NAME(LOPT_GLOBAL const float* w, const float* x, float* out) {                      \
        float h1[H1], h2[H2];                                                                        \
        LOPT_GLOBAL const float* b = w + (IN) * (H1);                                                \
        LOPT_UNROLL for (int j = 0; j < (H1); j++) h1[j] = b[j];                                                 \
        LOPT_UNROLL for (int i = 0; i < (IN); i++) {                                                             \
            const float xi = x[i];                                                                   \
            LOPT_UNROLL for (int j = 0; j < (H1); j++) h1[j] += xi * w[i * (H1) + j];                            \
        }                                                                                            \
        LOPT_UNROLL for (int j = 0; j < (H1); j++) h1[j] = LOPT_MAX(h1[j], 0.0f);                                \
        w = b + (H1);                                                                                \
        b = w + (H1) * (H2);                                                                         \
        LOPT_UNROLL for (int j = 0; j < (H2); j++) h2[j] = b[j];                                                 \
        LOPT_UNROLL for (int i = 0; i < (H1); i++) {                                                             \
            const float hi = h1[i];                                                                  \
            LOPT_UNROLL for (int j = 0; j < (H2); j++) h2[j] += hi * w[i * (H2) + j];                            \
        }                                                                                            \
        LOPT_UNROLL for (int j = 0; j < (H2); j++) h2[j] = LOPT_MAX(h2[j], 0.0f);                                \
        w = b + (H2);                                                                                \
        b = w + (H2) * (OUT);                                                                        \
        float o0 = b[0], o1 = b[1];                                                                  \
        LOPT_UNROLL for (int i = 0; i < (H2); i++) {                                                             \
            o0 += h2[i] * w[i * (OUT)];                                                              \
            o1 += h2[i] * w[i * (OUT) + 1];                                                          \
        }                                                                                            \
        out[0] = o0;                                                                                 \
        out[1] = o1;                                                                                 \
    }

LOPT_MLP_FIXED(sfl_mlp_4, SFL_INPUTS, 4, 4, 2)
LOPT_MLP_FIXED(sfl_mlp_32, SFL_INPUTS, 32, 32, 2)
LOPT_MLP_FIXED(mlp_mlp_32, 19, 32, 32, 2)
LOPT_MLP_FIXED(velo_mlp, 30, 4, 4, 3)

// lopt_mlp on a copy of x[0..n) (so the caller's x keeps constant indices and can live in registers).
LOPT_FN void lopt_mlp_any(LOPT_GLOBAL const float* w, const int* widths, int layers, const float* x, int n, float* out) {
    float a[SFL_MAX_WIDTH], b[SFL_MAX_WIDTH];
    for (int i = 0; i < n; i++) a[i] = x[i];
    lopt_mlp(w, widths, layers, a, b, out);
}

// small_fc_lopt's layer widths: SFL_INPUTS, `hidden` repeated `hidden_layers` times, 2; returns the weight layers.
LOPT_FN int sfl_widths(int hidden, int hidden_layers, int* widths) {
    widths[0] = SFL_INPUTS;
    for (int l = 1; l <= hidden_layers; l++) widths[l] = hidden;
    widths[hidden_layers + 1] = 2;
    return hidden_layers + 1;
}

// Feature q's normalization for one tensor from its chunks' partial sums of squares (chunks c0 .. c1 - 1, per_chunk
// rows of `features` each, added in that order): 1/sqrt(eps + sum / max(1, n)), or the plain sum when normalize is 0.
LOPT_FN float lopt_tensor_scale(LOPT_GLOBAL const float* partials, int per_chunk, int features, int q, int c0, int c1,
                                int n, float eps, int normalize) {
    float sum = 0.0f;
    for (LOPT_LONG k = (LOPT_LONG)c0 * per_chunk; k < (LOPT_LONG)c1 * per_chunk; k++) sum += partials[k * features + q];
    return normalize ? 1.0f / LOPT_SQRT(eps + sum / (float)(n > 1 ? n : 1)) : sum;
}

// MLPLOpt: g, p and six momenta are normalized; 11 time features follow.
#define MLP_FEATURES 8
#define MLP_MOMENTA 6

// L3RS (narrowing_l3rs.md section 2, org.lopt4j.learned.l3rs.L3rsRef): four base directions (SGD, heavy ball 0.9,
// Adam, sign of the heavy ball); per tensor 5 sums [p^2, g^2, b^2, adam^2, sign^2], 9 EMAs (||p||, ||g||, loss at
// decays 0.9, 0.99, 0.999), an MLP 16 -> h -> h -> 5 and 9 outputs [lambda, mu_0..3, 1/(||d_q|| + 1e-12)].
#define L3RS_DIRECTIONS 4
#define L3RS_SUMS 5
#define L3RS_EMA 9
#define L3RS_FEATURES 16
#define L3RS_EMBED 4
#define L3RS_LAYER_OUT 9

// One element's base directions from g, the updated heavy ball b and Adam moments m, v, and Adam's inverse bias
// corrections.
LOPT_FN void l3rs_directions(float g, float b, float m, float v, float ibc1, float ibc2, float* d) {
    d[0] = g;
    d[1] = b;
    d[2] = (m * ibc1) / (LOPT_SQRT(v * ibc2) + 1e-8f);
    d[3] = b > 0.0f ? 1.0f : (b < 0.0f ? -1.0f : 0.0f);
}

// Adam's inverse bias corrections after k updates.
LOPT_FN void l3rs_bias(int k, float* ibc) {
    ibc[0] = 1.0f / (1.0f - LOPT_POW(0.9f, (float)k));
    ibc[1] = 1.0f / (1.0f - LOPT_POW(0.999f, (float)k));
}

// One tensor's layer network after its k-th update (of num_steps planned): its sums s, its EMAs ema (updated), the
// member's loss, the member's packed MLP w (widths, layers weight layers) and the layer's embedding emb; the 9 outputs
// into out.
LOPT_FN void l3rs_layer_outputs(const float* s, LOPT_GLOBAL float* ema, float loss, int k, int num_steps,
                                LOPT_GLOBAL const float* w, const int* widths, int layers, LOPT_GLOBAL const float* emb,
                                float lambda0, int scale_by_norm, LOPT_GLOBAL float* out) {
    const float decay[3] = {0.9f, 0.99f, 0.999f};
    const float norm_p = LOPT_SQRT(s[0]), stat[3] = {norm_p, LOPT_SQRT(s[1]), loss};
    float x[SFL_MAX_WIDTH], y[SFL_MAX_WIDTH];
    for (int q = 0; q < 3; q++) {
        for (int i = 0; i < 3; i++) {
            const float a = decay[i] * ema[3 * q + i] + (1.0f - decay[i]) * stat[q];
            ema[3 * q + i] = a;
            x[3 * q + i] = LOPT_LOG(LOPT_MAX(a / (1.0f - LOPT_POW(decay[i], (float)k)), 1e-8f));
        }
    }
    const float tau = (float)(k - 1) / (float)num_steps;
    x[L3RS_EMA] = tau;
    x[L3RS_EMA + 1] = LOPT_SIN(3.14159265358979f * tau);
    x[L3RS_EMA + 2] = LOPT_COS(3.14159265358979f * tau);
    for (int j = 0; j < L3RS_EMBED; j++) x[L3RS_EMA + 3 + j] = emb[j];
    lopt_mlp_layers(w, widths, layers, x, y);
    out[0] = LOPT_EXP(x[0] + LOPT_LOG(lambda0)) * (scale_by_norm ? norm_p : 1.0f);
    float top = x[1], total = 0.0f;
    for (int q = 1; q < L3RS_DIRECTIONS; q++) top = LOPT_MAX(top, x[1 + q]);
    for (int q = 0; q < L3RS_DIRECTIONS; q++) total += LOPT_EXP(x[1 + q] - top);
    for (int q = 0; q < L3RS_DIRECTIONS; q++) {
        out[1 + q] = LOPT_EXP(x[1 + q] - top) / total;
        out[1 + L3RS_DIRECTIONS + q] = 1.0f / (LOPT_SQRT(s[q == 0 ? 1 : 1 + q]) + 1e-12f);
    }
}

#endif
