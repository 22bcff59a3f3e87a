package org.lopt4j.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Composite operations, written once over {@link TensorLike} from the primitives, so that plain tensors and
 * autodiff variables share them (and variables get their gradients for free). Images are NHWC, conv kernels HWIO,
 * dense weights {@code [fan_in, fan_out]}, as in the specs.
 */
public final class Nn {
    private Nn() {}

    public static <T extends TensorLike<T>> T relu(T x) { return x.maximum(x.scalar(0)); }

    /** Logistic sigmoid, as {@code 0.5 (1 + tanh(x / 2))} (no overflow for large |x|). */
    public static <T extends TensorLike<T>> T sigmoid(T x) { return x.mul(0.5).tanh().add(1).mul(0.5); }

    /** GELU, tanh approximation (the default of jax.nn.gelu and Haiku). */
    public static <T extends TensorLike<T>> T gelu(T x) {
        T inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(0.5).mul(inner.tanh().add(1));
    }

    /** Log-softmax along {@code axis}, shifted by the (detached) maximum for stability. */
    public static <T extends TensorLike<T>> T logSoftmax(T x, int axis) {
        T shifted = x.sub(x.maxKeep(axis).detach());
        return shifted.sub(shifted.exp().sumKeep(axis).log());
    }

    /** Softmax along {@code axis}. */
    public static <T extends TensorLike<T>> T softmax(T x, int axis) {
        T e = x.sub(x.maxKeep(axis).detach()).exp();
        return e.div(e.sumKeep(axis));
    }

    /** A {@code [n, classes]} one-hot matrix of integer labels (any dtype holding whole numbers). */
    public static Tensor oneHot(Tensor labels, int classes, DType dtype) {
        Backend b = labels.backend();
        double[] range = new double[classes];
        for (int i = 0; i < classes; i++) range[i] = i;
        Tensor r = Tensor.of(b, range, 1, classes).to(dtype);
        return labels.to(dtype).reshape(-1, 1).eq(r);
    }

    /** Mean softmax cross-entropy of {@code logits [n, classes]} against integer {@code labels [n]}. */
    public static <T extends TensorLike<T>> T crossEntropy(T logits, Tensor labels) {
        int classes = logits.dim(-1);
        T hot = logits.constant(oneHot(labels, classes, logits.dtype()));
        return logSoftmax(logits, -1).mul(hot).sum(-1).meanAll().neg();
    }

    /**
     * Population convention: a parameter with one more leading axis than usual ({@code [P, ...]}) holds P members'
     * copies, and the input then has the member axis first too ({@code [P, ...]}); each member uses its own copy.
     * This reshapes a member-stacked vector parameter {@code [P, d]} to broadcast against {@code [P, ..., d]}.
     */
    static <T extends TensorLike<T>> T perMember(T param, int usualRank, TensorLike<?> x) {
        if (param.rank() == usualRank) return param;
        int[] d = new int[x.rank()];
        java.util.Arrays.fill(d, 1);
        d[0] = param.dim(0);
        int[] pd = param.shape().dims();
        System.arraycopy(pd, 1, d, d.length - (pd.length - 1), pd.length - 1);
        return param.reshape(d);
    }

    /** Layer normalisation over the last axis: {@code (x - mean) / sqrt(var + eps) * gamma + beta}. */
    public static <T extends TensorLike<T>> T layerNorm(T x, T gamma, T beta, double eps) {
        T centered = x.sub(x.meanKeep(-1));
        T var = centered.square().meanKeep(-1);
        return centered.div(var.add(eps).sqrt()).mul(perMember(gamma, 1, x)).add(perMember(beta, 1, x));
    }

    /**
     * {@code x @ w + b} with {@code w [in, out]}; {@code b} may be null. Member-stacked {@code w [P, in, out]} and
     * {@code b [P, out]} apply member p's weights to {@code x[p]} in one batched matmul.
     */
    public static <T extends TensorLike<T>> T linear(T x, T w, T b) {
        T y;
        if (w.rank() == 3) {
            y = x.reshape(w.dim(0), -1, x.dim(-1)).matmul(w).reshape(outDims(x, w.dim(-1)));
        } else {
            y = x.rank() == 2 ? x.matmul(w) : x.reshape(-1, x.dim(-1)).matmul(w).reshape(outDims(x, w.dim(-1)));
        }
        return b == null ? y : y.add(perMember(b, 1, y));
    }

    private static int[] outDims(TensorLike<?> x, int out) {
        int[] d = x.shape().dims();
        d[d.length - 1] = out;
        return d;
    }

    /**
     * Rows of an embedding table {@code [vocab, dim]} for integer ids of any shape; a member-stacked table
     * {@code [P, vocab, dim]} looks up member p's ids {@code ids[p]} in its own table.
     */
    public static <T extends TensorLike<T>> T embedding(T table, Tensor ids) {
        if (table.rank() == 2) return table.gather(ids);
        int p = table.dim(0), v = table.dim(1);
        double[] offs = new double[p];
        for (int m = 0; m < p; m++) offs[m] = (double) m * v;
        int[] od = new int[ids.rank()];
        java.util.Arrays.fill(od, 1);
        od[0] = p;
        Tensor shifted = ids.to(DType.F64).add(Tensor.of(ids.backend(), offs, p).reshape(od));
        return table.reshape(p * v, table.dim(2)).gather(shifted);
    }

    /** Zero padding per spatial side, as the two numbers a conv or pool adds before and after each axis. */
    public record Padding(int top, int bottom, int left, int right) {
        public static final Padding VALID = new Padding(0, 0, 0, 0);

        /** TensorFlow/Haiku "SAME" padding for a window and stride over an input size. */
        public static Padding same(int h, int w, int kh, int kw, int stride) {
            int ph = Math.max((ceilDiv(h, stride) - 1) * stride + kh - h, 0);
            int pw = Math.max((ceilDiv(w, stride) - 1) * stride + kw - w, 0);
            return new Padding(ph / 2, ph - ph / 2, pw / 2, pw - pw / 2);
        }

        private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }
    }

    /**
     * The {@code [n, oh, ow, kh*kw*c]} patches of an NHWC image (im2col), ordered (kh, kw, c) so that an HWIO kernel
     * reshaped to {@code [kh*kw*c, o]} multiplies them.
     */
    public static <T extends TensorLike<T>> T im2col(T x, int kh, int kw, int stride, Padding p) {
        int r = x.rank(), ha = r - 3, wa = r - 2;   // [..., h, w, c]: any leading axes (batch, member)
        T xp = p.equals(Padding.VALID) ? x : x.pad(spatial(r, p.top, p.left), spatial(r, p.bottom, p.right));
        int h = xp.dim(ha), w = xp.dim(wa);
        int oh = (h - kh) / stride + 1, ow = (w - kw) / stride + 1;
        List<T> parts = new ArrayList<>();
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                parts.add(xp.slice(ha, i, i + (oh - 1) * stride + 1, stride).slice(wa, j, j + (ow - 1) * stride + 1, stride));
            }
        }
        return parts.size() == 1 ? parts.get(0) : parts.get(0).cat(r - 1, parts.subList(1, parts.size()));
    }

    private static int[] spatial(int rank, int h, int w) {
        int[] a = new int[rank];
        a[rank - 3] = h;
        a[rank - 2] = w;
        return a;
    }

    /**
     * 2-D convolution of NHWC {@code x} with an HWIO kernel, by im2col and one matmul; {@code b} may be null. A
     * member-stacked kernel {@code [P, kh, kw, c, o]} convolves {@code x [P, n, h, w, c]} member by member in one
     * batched matmul.
     */
    public static <T extends TensorLike<T>> T conv2d(T x, T kernel, T b, int stride, Padding p) {
        int lead = kernel.rank() - 4;
        int kh = kernel.dim(lead), kw = kernel.dim(lead + 1), c = kernel.dim(lead + 2), o = kernel.dim(lead + 3);
        if (x.dim(-1) != c) throw new IllegalArgumentException("conv2d: input has " + x.dim(-1) + " channels, kernel expects " + c);
        T cols = im2col(x, kh, kw, stride, p);
        int[] cd = cols.shape().dims();
        int[] yd = cd.clone();
        yd[yd.length - 1] = o;
        T y = lead == 0
                ? cols.reshape(-1, kh * kw * c).matmul(kernel.reshape(kh * kw * c, o)).reshape(yd)
                : cols.reshape(kernel.dim(0), -1, kh * kw * c).matmul(kernel.reshape(kernel.dim(0), kh * kw * c, o)).reshape(yd);
        return b == null ? y : y.add(perMember(b, 1, y));
    }

    /** Max pooling over {@code k x k} windows of an NHWC image. */
    public static <T extends TensorLike<T>> T maxPool2d(T x, int k, int stride, Padding p) {
        if (p.equals(Padding.VALID)) return pool(x, k, stride, true);
        // SAME padding pads with −∞ as Haiku/TF do (a very negative finite value, so gradients stay finite)
        int[] before = spatial(x.rank(), p.top, p.left), after = spatial(x.rank(), p.bottom, p.right);
        Tensor inside = Tensor.full(x.value().backend(), x.dtype(), x.shape(), 1).pad(before, after);
        T xp = x.constant(inside).where(x.pad(before, after), x.scalar(-1e30));
        return pool(xp, k, stride, true);
    }

    /** Average pooling over {@code k x k} windows of an NHWC image (VALID windows). */
    public static <T extends TensorLike<T>> T avgPool2d(T x, int k, int stride) { return pool(x, k, stride, false).mul(1.0 / (k * k)); }

    private static <T extends TensorLike<T>> T pool(T x, int k, int stride, boolean max) {
        int ha = x.rank() - 3, wa = x.rank() - 2;
        int oh = (x.dim(ha) - k) / stride + 1, ow = (x.dim(wa) - k) / stride + 1;
        T acc = null;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                T s = x.slice(ha, i, i + (oh - 1) * stride + 1, stride).slice(wa, j, j + (ow - 1) * stride + 1, stride);
                acc = acc == null ? s : max ? acc.maximum(s) : acc.add(s);
            }
        }
        return acc;
    }
}
