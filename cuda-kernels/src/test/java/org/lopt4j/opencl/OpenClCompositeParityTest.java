package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * The composites built from primitive ops (im2col and conv2d, softmax, log-softmax, cross-entropy, layer norm) on OpenCL F32
 * against ScalarBackend F64: they are built from the primitive ops, so this checks the primitives compose on the
 * device as on the CPU. Tolerance: float32 rounding of the sums involved, |Δ| ≤ 1e-5·(1 + |x|).
 */
@Tag("gpu")
class OpenClCompositeParityTest {
    static final ScalarBackend REF = ScalarBackend.INSTANCE;
    static Backend cl;

    @BeforeAll static void device() { cl = OpenClSupport.backendOrSkip(); }

    static Tensor random(Shape s, int seed) { return Tensor.random(REF, DType.F64, s, RandomKey.of(seed), Op.Dist.NORMAL); }

    static void close(String what, Tensor ref, Tensor dev) {
        double[] e = ref.toDoubleArray(), a = dev.to(REF).toDoubleArray();
        double[] tol = new double[e.length];
        for (int i = 0; i < e.length; i++) tol[i] = 1e-5 * (1 + Math.abs(e[i]));
        double[] diff = new double[e.length], zero = new double[e.length];
        for (int i = 0; i < e.length; i++) diff[i] = Math.abs(e[i] - a[i]) <= tol[i] ? 0 : e[i] - a[i];
        assertArrayEquals(zero, diff, what + ": nonzero entries are device errors beyond tolerance");
    }

    static Tensor onCl(Tensor t) { return t.to(DType.F32).to(cl); }

    @Test void im2colAndConv2d() {
        Tensor x = random(Shape.of(2, 7, 6, 3), 1), k = random(Shape.of(3, 3, 3, 5), 2), b = random(Shape.of(5), 3);
        for (int stride : new int[] {1, 2}) {
            Nn.Padding p = Nn.Padding.same(7, 6, 3, 3, stride);
            close("im2col stride " + stride, Nn.im2col(x, 3, 3, stride, p), Nn.im2col(onCl(x), 3, 3, stride, p));
            close("conv2d stride " + stride, Nn.conv2d(x, k, b, stride, p), Nn.conv2d(onCl(x), onCl(k), onCl(b), stride, p));
        }
        close("conv2d valid", Nn.conv2d(x, k, null, 1, Nn.Padding.VALID), Nn.conv2d(onCl(x), onCl(k), null, 1, Nn.Padding.VALID));
    }

    @Test void softmaxCrossEntropyLayerNorm() {
        Tensor logits = random(Shape.of(6, 10), 4);
        logits = logits.mul(logits.scalar(3.0));
        close("softmax", Nn.softmax(logits, -1), Nn.softmax(onCl(logits), -1));
        close("logSoftmax", Nn.logSoftmax(logits, -1), Nn.logSoftmax(onCl(logits), -1));
        Tensor labels = Tensor.of(REF, new int[] {0, 3, 9, 4, 4, 7}, 6);
        close("crossEntropy", Nn.crossEntropy(logits, labels), Nn.crossEntropy(onCl(logits), labels.to(cl)));
        Tensor x = random(Shape.of(4, 16), 5), g = random(Shape.of(16), 6), bb = random(Shape.of(16), 7);
        close("layerNorm", Nn.layerNorm(x, g, bb, 1e-5), Nn.layerNorm(onCl(x), onCl(g), onCl(bb), 1e-5));
    }
}
