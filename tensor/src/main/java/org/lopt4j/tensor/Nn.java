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

    /** Layer normalisation over the last axis: {@code (x - mean) / sqrt(var + eps) * gamma + beta}. */
    public static <T extends TensorLike<T>> T layerNorm(T x, T gamma, T beta, double eps) {
        T centered = x.sub(x.meanKeep(-1));
        T var = centered.square().meanKeep(-1);
        return centered.div(var.add(eps).sqrt()).mul(gamma).add(beta);
    }

    /** {@code x @ w + b} with {@code w [in, out]}; {@code b} may be null. */
    public static <T extends TensorLike<T>> T linear(T x, T w, T b) {
        T y = x.rank() == 2 ? x.matmul(w) : x.reshape(-1, x.dim(-1)).matmul(w).reshape(outDims(x, w.dim(-1)));
        return b == null ? y : y.add(b);
    }

    private static int[] outDims(TensorLike<?> x, int out) {
        int[] d = x.shape().dims();
        d[d.length - 1] = out;
        return d;
    }

    /** Rows of an embedding table {@code [vocab, dim]} for integer ids of any shape. */
    public static <T extends TensorLike<T>> T embedding(T table, Tensor ids) { return table.gather(ids); }

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
        T xp = p.equals(Padding.VALID) ? x : x.pad(new int[] {0, p.top, p.left, 0}, new int[] {0, p.bottom, p.right, 0});
        int h = xp.dim(1), w = xp.dim(2);
        int oh = (h - kh) / stride + 1, ow = (w - kw) / stride + 1;
        List<T> parts = new ArrayList<>();
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                parts.add(xp.slice(1, i, i + (oh - 1) * stride + 1, stride).slice(2, j, j + (ow - 1) * stride + 1, stride));
            }
        }
        return parts.size() == 1 ? parts.get(0) : parts.get(0).cat(3, parts.subList(1, parts.size()));
    }

    /** 2-D convolution of NHWC {@code x} with an HWIO kernel, by im2col and one matmul; {@code b} may be null. */
    public static <T extends TensorLike<T>> T conv2d(T x, T kernel, T b, int stride, Padding p) {
        int kh = kernel.dim(0), kw = kernel.dim(1), c = kernel.dim(2), o = kernel.dim(3);
        if (x.dim(3) != c) throw new IllegalArgumentException("conv2d: input has " + x.dim(3) + " channels, kernel expects " + c);
        T cols = im2col(x, kh, kw, stride, p);
        int n = cols.dim(0), oh = cols.dim(1), ow = cols.dim(2);
        T y = cols.reshape(n * oh * ow, kh * kw * c).matmul(kernel.reshape(kh * kw * c, o)).reshape(n, oh, ow, o);
        return b == null ? y : y.add(b);
    }

    /** Max pooling over {@code k x k} windows of an NHWC image. */
    public static <T extends TensorLike<T>> T maxPool2d(T x, int k, int stride, Padding p) {
        T xp = p.equals(Padding.VALID) ? x
                : x.pad(new int[] {0, p.top, p.left, 0}, new int[] {0, p.bottom, p.right, 0}); // zero pad, as after relu
        return pool(xp, k, stride, true);
    }

    /** Average pooling over {@code k x k} windows of an NHWC image (VALID windows). */
    public static <T extends TensorLike<T>> T avgPool2d(T x, int k, int stride) { return pool(x, k, stride, false).mul(1.0 / (k * k)); }

    private static <T extends TensorLike<T>> T pool(T x, int k, int stride, boolean max) {
        int oh = (x.dim(1) - k) / stride + 1, ow = (x.dim(2) - k) / stride + 1;
        T acc = null;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                T s = x.slice(1, i, i + (oh - 1) * stride + 1, stride).slice(2, j, j + (ow - 1) * stride + 1, stride);
                acc = acc == null ? s : max ? acc.maximum(s) : acc.add(s);
            }
        }
        return acc;
    }
}
