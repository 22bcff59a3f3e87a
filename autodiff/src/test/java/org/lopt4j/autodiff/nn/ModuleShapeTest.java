package org.lopt4j.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Haiku names and shapes of every module's parameters, output shapes, initializers and the LSTM gate order. */
class ModuleShapeTest {
    private static final ScalarBackend B = ScalarBackend.INSTANCE;
    /** Relative error of a standard deviation estimated from n = 16384 draws is about 1/sqrt(2n) = 0.6%; 3% is 5 sigma. */
    private static final double STD_TOLERANCE = 0.03;
    /** Closed-form checks in float64. */
    private static final double EXACT = 1e-12;

    private static Tensor x(int... dims) { return Tensor.random(B, DType.F64, Shape.of(dims), RandomKey.of(9), Op.Dist.NORMAL); }

    private static void assertLayout(Model m, List<String> names, List<Shape> shapes) {
        assertEquals(names, m.layout().names());
        assertEquals(shapes, m.layout().shapes());
    }

    /** Runs {@code f} on an initialized model with constant input {@code in} and returns the output's shape. */
    private static Shape outShape(Model m, Tensor in, java.util.function.BiFunction<Params, Var, Var> f) {
        try (Tape t = new Tape()) {
            return f.apply(m.bind(t, m.init(RandomKey.of(1), B, DType.F64)), t.constant(in)).shape();
        }
    }

    @Test void mlpLinearNamesShapesAndOutput() {
        Mlp mlp = new Mlp("mlp", 3, new int[] {4, 2});
        Model m = new Model(mlp.params());
        assertLayout(m, List.of("mlp/~/linear_0/b", "mlp/~/linear_0/w", "mlp/~/linear_1/b", "mlp/~/linear_1/w"),
                List.of(Shape.of(4), Shape.of(3, 4), Shape.of(2), Shape.of(4, 2)));
        assertEquals(Shape.of(5, 2), outShape(m, x(5, 3), mlp::apply));
        assertEquals(Shape.of(2, 5, 2), outShape(m, x(2, 5, 3), mlp::apply));
        assertEquals(List.of("lin/w"), new Model(new Linear("lin", 3, 4, false).params()).layout().names());
    }

    @Test void conv2dIsHwioOverNhwc() {
        Conv2d same = new Conv2d("conv", 3, 2, 5, 2, true), valid = new Conv2d("conv", 3, 2, 5, 2, false);
        Model m = new Model(same.params());
        assertLayout(m, List.of("conv/b", "conv/w"), List.of(Shape.of(5), Shape.of(3, 3, 2, 5)));
        assertEquals(Shape.of(2, 4, 3, 5), outShape(m, x(2, 7, 6, 2), same::apply));   // ceil(7/2), ceil(6/2)
        assertEquals(Shape.of(2, 3, 2, 5), outShape(m, x(2, 7, 6, 2), valid::apply));  // (7-3)/2+1, (6-3)/2+1
    }

    @Test void layerNormEmbeddingAttentionAndLstmShapes() {
        LayerNorm ln = new LayerNorm("ln", 4);
        Model lm = new Model(ln.params());
        assertLayout(lm, List.of("ln/offset", "ln/scale"), List.of(Shape.of(4), Shape.of(4)));
        Slab init = lm.init(RandomKey.of(1), B, DType.F64);
        assertArrayEquals(new double[] {0, 0, 0, 0}, init.tensor("ln/offset").toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1, 1, 1}, init.tensor("ln/scale").toDoubleArray(), 0);
        assertEquals(Shape.of(2, 3, 4), outShape(lm, x(2, 3, 4), ln::apply));

        Embedding emb = new Embedding("embed", 10, 3);
        Model em = new Model(emb.params());
        assertLayout(em, List.of("embed/embeddings"), List.of(Shape.of(10, 3)));
        Tensor ids = Tensor.of(B, new int[] {0, 9, 3, 3, 1, 2}, 2, 3);
        assertEquals(Shape.of(2, 3, 3), outShape(em, x(1), (p, unused) -> emb.apply(p, ids)));

        SelfAttention att = new SelfAttention("attn", 8, 2, true);
        Model am = new Model(att.params());
        assertEquals(List.of("attn/key/b", "attn/key/w", "attn/linear/b", "attn/linear/w", "attn/query/b", "attn/query/w",
                "attn/value/b", "attn/value/w"), am.layout().names());
        assertEquals(Shape.of(2, 5, 8), outShape(am, x(2, 5, 8), att::apply));
        assertThrows(IllegalArgumentException.class, () -> new SelfAttention("attn", 8, 3, true));

        LstmCell lstm = new LstmCell("lstm", 3, 4);
        Model cm = new Model(lstm.params());
        assertLayout(cm, List.of("lstm/linear/b", "lstm/linear/w"), List.of(Shape.of(16), Shape.of(7, 16)));
        try (Tape t = new Tape()) {
            Var zero = t.constant(Tensor.zeros(B, DType.F64, Shape.of(2, 4)));
            LstmCell.State s = lstm.step(cm.bind(t, cm.init(RandomKey.of(1), B, DType.F64)), t.constant(x(2, 3)),
                    new LstmCell.State(zero, zero));
            assertEquals(Shape.of(2, 4), s.h().shape());
            assertEquals(Shape.of(2, 4), s.c().shape());
        }
    }

    @Test void attentionIsCausal() {
        SelfAttention att = new SelfAttention("attn", 4, 2, true);
        Model m = new Model(att.params());
        Slab p = m.init(RandomKey.of(2), B, DType.F64);
        Tensor a = x(1, 5, 4), b = Tensor.zeros(B, DType.F64, a.shape()).assign(a);
        b.slice(1, 3, 5, 1).assign(b.slice(1, 3, 5, 1).add(b.scalar(1)));    // change positions 3 and 4 only
        double[] ya, yb;
        try (Tape t = new Tape()) {
            ya = att.apply(m.bind(t, p), t.constant(a)).value().toDoubleArray();
            yb = att.apply(m.bind(t, p), t.constant(b)).value().toDoubleArray();
        }
        for (int i = 0; i < 3 * 4; i++) assertEquals(ya[i], yb[i], EXACT, "output at position " + i / 4);
        assertTrue(Math.abs(ya[3 * 4] - yb[3 * 4]) > 1e-6, "position 3 sees its own change");
    }

    @Test void fullAttentionSeesEveryPosition() {
        SelfAttention causal = new SelfAttention("attn", 4, 2, true), full = new SelfAttention("attn", 4, 2, false);
        Model m = new Model(full.params());
        Slab p = m.init(RandomKey.of(2), B, DType.F64);
        Tensor a = x(1, 5, 4), b = Tensor.zeros(B, DType.F64, a.shape()).assign(a);
        b.slice(1, 4, 5, 1).assign(b.slice(1, 4, 5, 1).add(b.scalar(1)));    // change the last position only
        double[] ya, yb, lastCausal, lastFull;
        try (Tape t = new Tape()) {
            ya = full.apply(m.bind(t, p), t.constant(a)).value().toDoubleArray();
            yb = full.apply(m.bind(t, p), t.constant(b)).value().toDoubleArray();
            lastCausal = causal.apply(m.bind(t, p), t.constant(a)).value().toDoubleArray();
            lastFull = ya;
        }
        for (int pos = 0; pos < 4; pos++) assertTrue(Math.abs(ya[pos * 4] - yb[pos * 4]) > 1e-6, "position " + pos + " sees the last one");
        for (int i = 16; i < 20; i++) assertEquals(lastCausal[i], lastFull[i], 1e-12, "the last position attends to all in both");
    }

    @Test void lstmGateOrderIsIgfoWithForgetBiasOne() {
        LstmCell lstm = new LstmCell("lstm", 1, 1);
        Model m = new Model(lstm.params());
        Slab p = Slab.zeros(B, DType.F64, m.layout());             // w = 0: gates are the biases
        double bi = 0.3, bg = -0.7, bf = 0.2, bo = 1.1, c0 = 0.9;
        p.tensor("lstm/linear/b").assign(Tensor.of(B, new double[] {bi, bg, bf, bo}, 4));
        try (Tape t = new Tape()) {
            Var one = t.constant(Tensor.of(B, new double[] {0.5}, 1, 1)), c = t.constant(Tensor.of(B, new double[] {c0}, 1, 1));
            LstmCell.State s = lstm.step(m.bind(t, p), one, new LstmCell.State(one, c));
            double cNext = sigmoid(bf + 1) * c0 + sigmoid(bi) * Math.tanh(bg);
            assertEquals(cNext, s.c().value().item(), EXACT);
            assertEquals(sigmoid(bo) * Math.tanh(cNext), s.h().value().item(), EXACT);
        }
    }

    private static double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

    @Test void weightsAreTruncatedNormalWithStddevOneOverSqrtFanIn() {
        Linear lin = new Linear("lin", 256, 64, true);
        Slab p = new Model(lin.params()).init(RandomKey.of(4), B, DType.F64);
        double[] w = p.tensor("lin/w").toDoubleArray();
        double std = 1 / Math.sqrt(256), bound = 2 * std / Init.TruncatedNormal.TRUNCATED_STD, sum = 0, sq = 0, max = 0;
        for (double v : w) { sum += v; sq += v * v; max = Math.max(max, Math.abs(v)); }
        double mean = sum / w.length, sd = Math.sqrt(sq / w.length - mean * mean);
        assertEquals(std, sd, STD_TOLERANCE * std);
        assertTrue(max <= bound * (1 + EXACT), "max |w| " + max + " beyond the truncation bound " + bound);
        assertArrayEquals(new double[64], p.tensor("lin/b").toDoubleArray(), 0);
        Slab again = new Model(lin.params()).init(RandomKey.of(4), B, DType.F64);
        assertArrayEquals(w, again.tensor("lin/w").toDoubleArray(), 0, "same key, same parameters");
    }

    @Test void modelRejectsDuplicateNamesAndForeignSlabs() {
        Linear lin = new Linear("lin", 2, 2, true);
        assertThrows(IllegalArgumentException.class, () -> new Model(List.of(lin.params().get(0), lin.params().get(0))));
        Model m = new Model(lin.params()), other = new Model(new Linear("lin", 3, 2, true).params());
        try (Tape t = new Tape()) {
            assertThrows(IllegalArgumentException.class, () -> m.bind(t, other.init(RandomKey.of(1), B, DType.F64)));
            Params p = m.bind(t, m.init(RandomKey.of(1), B, DType.F64));
            assertThrows(IllegalArgumentException.class, () -> p.get("lin/v"));
        }
    }
}
