package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.autodiff.nn.SelfAttention;
import org.lopt4j.autodiff.nn.Conv2d;
import org.lopt4j.autodiff.nn.Embedding;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Loss and gradients of small models in F32 (on the scalar backend and on the best backend) against the same models
 * in F64 on the scalar backend, from the same parameters and data.
 */
class DTypeParityTest {
    /**
     * F32 rounding (6e-8 per op) through a few hundred ops: the deviation relative to the largest gradient measured
     * about 1e-7 on the scalar and SIMD backends; 1e-5 leaves a hundredfold margin and still catches a wrong path.
     */
    static final double F32_TOLERANCE = 1e-5;

    /** A loss of parameters and an input on the parameters' backend (made a constant on the given tape). */
    interface Loss { Var apply(Params p, Tape t, Tensor x); }

    record ModelCase(String name, List<ParamSpec> specs, Loss loss, Tensor x) {}

    static List<ModelCase> cases() {
        ScalarBackend b = ScalarBackend.INSTANCE;
        Tensor ids = Tensor.of(b, new int[] {3, 1, 4, 1, 5, 9, 2, 6}, 2, 4);
        Tensor next = Tensor.of(b, new int[] {1, 4, 1, 5, 9, 2, 6, 5}, 8);
        Embedding emb = new Embedding("embed", 10, 8);
        SelfAttention att = new SelfAttention("attn", 8, 2, true);
        LayerNorm ln = new LayerNorm("ln", 8);
        Linear head = new Linear("head", 8, 10, true);
        List<ParamSpec> lm = new ArrayList<>(emb.params());
        lm.addAll(att.params());
        lm.addAll(ln.params());
        lm.addAll(head.params());
        Loss lmLoss = (p, t, x) -> {
            Var h = emb.apply(p, ids.to(x.backend()));
            h = h.add(att.apply(p, ln.apply(p, h)));
            return Nn.crossEntropy(head.apply(p, Nn.gelu(h)).reshape(8, 10), next.to(x.backend()));
        };
        Conv2d conv = new Conv2d("conv", 3, 2, 4, 1, true);
        Linear cls = new Linear("cls", 4, 3, true);
        List<ParamSpec> cnn = new ArrayList<>(conv.params());
        cnn.addAll(cls.params());
        Tensor labels = Tensor.of(b, new int[] {0, 2}, 2);
        Loss cnnLoss = (p, t, x) -> {
            Var h = Nn.maxPool2d(Nn.relu(conv.apply(p, t.constant(x))), 2, 2, Nn.Padding.VALID);
            return Nn.crossEntropy(cls.apply(p, h.mean(1, 2)), labels.to(x.backend()));
        };
        Tensor img = Tensor.random(b, DType.F64, Shape.of(2, 6, 6, 2), RandomKey.of(8), Op.Dist.NORMAL);
        return List.of(new ModelCase("attention LM", lm, lmLoss, img), new ModelCase("conv classifier", cnn, cnnLoss, img));
    }

    /** Loss and the gradient slab's buffer, in float64 numbers. */
    static double[] lossAndGrads(ModelCase c, Backend b, DType dtype) {
        Model m = new Model(c.specs());
        Slab init64 = m.init(RandomKey.of(3), ScalarBackend.INSTANCE, DType.F64);
        Slab params = new Slab(m.layout(), init64.flat().to(dtype).to(b));
        Slab grads = params.zerosLike();
        try (Tape t = new Tape()) {
            Params p = m.bind(t, params);
            Var loss = c.loss().apply(p, t, c.x().to(dtype).to(b));
            t.backward(loss).writeTo(params, grads);
            double[] g = grads.flat().toDoubleArray(), out = new double[g.length + 1];
            out[0] = loss.value().item();
            System.arraycopy(g, 0, out, 1, g.length);
            return out;
        }
    }

    @TestFactory
    List<DynamicTest> f32MatchesF64() {
        List<DynamicTest> tests = new ArrayList<>();
        LinkedHashSet<Backend> backends = new LinkedHashSet<>(List.of(ScalarBackend.INSTANCE, Backends.best()));
        for (ModelCase c : cases()) {
            for (Backend b : backends) {
                tests.add(DynamicTest.dynamicTest(c.name() + " F32 on " + b.name(), () -> {
                    double[] ref = lossAndGrads(c, ScalarBackend.INSTANCE, DType.F64), got = lossAndGrads(c, b, DType.F32);
                    double scale = 0;
                    for (double v : ref) scale = Math.max(scale, Math.abs(v));
                    assertTrue(scale > 0.1, "the gradients are not trivially small");
                    assertEquals(ref[0], got[0], F32_TOLERANCE * Math.abs(ref[0]), "loss");
                    for (int i = 1; i < ref.length; i++) {
                        assertEquals(ref[i], got[i], F32_TOLERANCE * scale, "gradient element " + (i - 1));
                    }
                }));
            }
        }
        return tests;
    }
}
