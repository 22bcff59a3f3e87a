package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.autodiff.nn.CausalSelfAttention;
import org.lopt4j.autodiff.nn.Conv2d;
import org.lopt4j.autodiff.nn.Embedding;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Central differences in F64 for every differentiable function. Cases for the enum primitives come from exhaustive
 * switch expressions, so a new primitive without a gradient check does not compile.
 */
class GradCheckTest {
    /** float64 central differences with h = 1e-6 agree with exact gradients to about 1e-8; allow margin. */
    static final double TOLERANCE = 1e-6;

    static int seed = 11;

    /** Uniform values in [lo, hi), F64 on the reference backend. */
    static Tensor in(double lo, double hi, int... dims) {
        Tensor u = Tensor.random(ScalarBackend.INSTANCE, DType.F64, Shape.of(dims), RandomKey.of(seed++), Op.Dist.UNIFORM);
        return u.mul(u.scalar(hi - lo)).add(u.scalar(lo));
    }

    record Case(String name, Function<List<Var>, Var> f, List<Tensor> inputs) {}

    static Case unary(Op.Unary u) {
        return switch (u) {
            case NEG -> new Case("neg", v -> v.get(0).neg(), List.of(in(-2, 2, 3, 4)));
            case RECIP -> new Case("recip", v -> v.get(0).recip(), List.of(in(0.5, 2, 3, 4)));
            case EXP -> new Case("exp", v -> v.get(0).exp(), List.of(in(-2, 2, 3, 4)));
            case LOG -> new Case("log", v -> v.get(0).log(), List.of(in(0.5, 3, 3, 4)));
            case SQRT -> new Case("sqrt", v -> v.get(0).sqrt(), List.of(in(0.5, 3, 3, 4)));
            case TANH -> new Case("tanh", v -> v.get(0).tanh(), List.of(in(-2, 2, 3, 4)));
            case ABS -> new Case("abs", v -> v.get(0).abs(), List.of(in(0.2, 2, 3, 4).mul(in(-1, 1, 3, 4).sign())));
            case SIGN -> new Case("sign (zero gradient)", v -> v.get(0).sign().mul(v.get(0)), List.of(in(0.2, 2, 3, 4)));
        };
    }

    static Case binary(Op.Binary b) {
        return switch (b) {
            case ADD -> new Case("add broadcast", v -> v.get(0).add(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 4)));
            case SUB -> new Case("sub broadcast", v -> v.get(0).sub(v.get(1)), List.of(in(-1, 1, 3, 1), in(-1, 1, 1, 4)));
            case MUL -> new Case("mul broadcast", v -> v.get(0).mul(v.get(1)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 3, 1)));
            case DIV -> new Case("div broadcast", v -> v.get(0).div(v.get(1)), List.of(in(-1, 1, 3, 4), in(0.5, 2, 4)));
            case MAX -> new Case("maximum", v -> v.get(0).maximum(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
            case MIN -> new Case("minimum", v -> v.get(0).minimum(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
            case CMPLT -> new Case("lt (no gradient)", v -> v.get(0).lt(v.get(1)).mul(v.get(0)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
            case CMPEQ -> new Case("eq (no gradient)", v -> v.get(0).eq(v.get(0)).mul(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
        };
    }

    static Case reduce(Op.Reduce r) {
        return switch (r) {
            case SUM -> new Case("sumKeep", v -> v.get(0).sumKeep(0, 2).mul(v.get(0).sumKeep(1)), List.of(in(-1, 1, 2, 3, 4)));
            case MAX -> new Case("maxKeep", v -> v.get(0).maxKeep(1).mul(v.get(0).max(0, 1).sumAll()), List.of(in(-1, 1, 2, 3, 4)));
        };
    }

    static List<Case> structural() {
        Tensor idx = Tensor.of(ScalarBackend.INSTANCE, new int[] {2, 0, 2, 4}, 2, 2);
        return List.of(
                new Case("matmul", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 3, 5), in(-1, 1, 5, 2))),
                new Case("matmul batched broadcast", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 2, 3, 5), in(-1, 1, 5, 2))),
                new Case("where", v -> v.get(0).lt(v.get(0).scalar(0)).where(v.get(1), v.get(2)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4), in(-1, 1, 4))),
                new Case("gather", v -> v.get(0).gather(idx).square(), List.of(in(-1, 1, 5, 3))),
                new Case("reshape", v -> v.get(0).reshape(4, 3).matmul(v.get(1)), List.of(in(-1, 1, 2, 6), in(-1, 1, 3, 2))),
                new Case("permute", v -> v.get(0).permute(2, 0, 1).mul(v.get(1)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 4, 2, 3))),
                new Case("expand", v -> v.get(0).expand(Shape.of(3, 2, 4)).mul(v.get(1)), List.of(in(-1, 1, 2, 1), in(-1, 1, 3, 2, 4))),
                new Case("slice with step", v -> v.get(0).slice(1, 1, 6, 2).square(), List.of(in(-1, 1, 3, 7))),
                new Case("pad", v -> v.get(0).pad(new int[] {1, 0}, new int[] {2, 1}).mul(v.get(1)), List.of(in(-1, 1, 2, 3), in(-1, 1, 5, 4))),
                new Case("cat", v -> v.get(0).cat(1, List.of(v.get(1), v.get(0))).square(), List.of(in(-1, 1, 2, 3), in(-1, 1, 2, 2))));
    }

    static List<Case> composites() {
        Tensor labels = Tensor.of(ScalarBackend.INSTANCE, new int[] {1, 0, 3}, 3);
        Tensor ids = Tensor.of(ScalarBackend.INSTANCE, new int[] {1, 3, 3}, 3);
        return List.of(
                new Case("relu", v -> Nn.relu(v.get(0)), List.of(in(0.1, 1, 3, 4).mul(in(-1, 1, 3, 4).sign()))),
                new Case("sigmoid", v -> Nn.sigmoid(v.get(0)), List.of(in(-3, 3, 3, 4))),
                new Case("gelu", v -> Nn.gelu(v.get(0)), List.of(in(-3, 3, 3, 4))),
                new Case("softmax", v -> Nn.softmax(v.get(0), -1).mul(v.get(1)), List.of(in(-2, 2, 3, 5), in(-1, 1, 3, 5))),
                new Case("logSoftmax", v -> Nn.logSoftmax(v.get(0), 0).mul(v.get(1)), List.of(in(-2, 2, 3, 5), in(-1, 1, 3, 5))),
                new Case("crossEntropy", v -> Nn.crossEntropy(v.get(0), labels), List.of(in(-2, 2, 3, 4))),
                new Case("layerNorm", v -> Nn.layerNorm(v.get(0), v.get(1), v.get(2), 1e-5).mul(v.get(3)),
                        List.of(in(-2, 2, 3, 5), in(0.5, 1.5, 5), in(-1, 1, 5), in(-1, 1, 3, 5))),
                new Case("linear", v -> Nn.linear(v.get(0), v.get(1), v.get(2)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 4, 2), in(-1, 1, 2))),
                new Case("embedding", v -> Nn.embedding(v.get(0), ids).square(), List.of(in(-1, 1, 4, 3))),
                new Case("conv2d stride 2 SAME", v -> Nn.conv2d(v.get(0), v.get(1), v.get(2), 2, Nn.Padding.same(5, 5, 3, 3, 2)).square(),
                        List.of(in(-1, 1, 2, 5, 5, 2), in(-1, 1, 3, 3, 2, 3), in(-1, 1, 3))),
                new Case("maxPool2d", v -> Nn.maxPool2d(v.get(0), 2, 2, Nn.Padding.VALID).square(), List.of(in(-1, 1, 1, 4, 4, 2))),
                new Case("avgPool2d overlapping", v -> Nn.avgPool2d(v.get(0), 2, 1).square(), List.of(in(-1, 1, 1, 4, 4, 2))),
                new Case("im2col", v -> Nn.im2col(v.get(0), 2, 2, 1, Nn.Padding.VALID).square(), List.of(in(-1, 1, 1, 3, 3, 2))));
    }

    static List<Case> modules() {
        List<Case> out = new ArrayList<>();
        Mlp mlp = new Mlp("mlp", 4, new int[] {5, 3});
        out.add(moduleCase("Mlp", mlp.params(), (p, x) -> mlp.apply(p, x), in(-1, 1, 2, 4)));
        Conv2d conv = new Conv2d("conv", 3, 2, 3, 1, true);
        out.add(moduleCase("Conv2d", conv.params(), (p, x) -> conv.apply(p, x), in(-1, 1, 1, 4, 4, 2)));
        LayerNorm ln = new LayerNorm("ln", 4);
        out.add(moduleCase("LayerNorm", ln.params(), (p, x) -> ln.apply(p, x).mul(x), in(-1, 1, 3, 4)));
        Embedding emb = new Embedding("embed", 5, 3);
        Tensor ids = Tensor.of(ScalarBackend.INSTANCE, new int[] {4, 0, 4}, 3);
        out.add(moduleCase("Embedding", emb.params(), (p, x) -> emb.apply(p, ids).mul(x), in(-1, 1, 3, 3)));
        LstmCell lstm = new LstmCell("lstm", 3, 4);
        out.add(moduleCase("LstmCell", lstm.params(), (p, x) -> {
            LstmCell.State s = new LstmCell.State(x.slice(1, 0, 4, 1), x.slice(1, 3, 7, 1));
            s = lstm.step(p, x.slice(1, 0, 3, 1), s);
            return lstm.step(p, x.slice(1, 4, 7, 1), s).h();
        }, in(-1, 1, 2, 7)));
        CausalSelfAttention att = new CausalSelfAttention("attn", 4, 2);
        out.add(moduleCase("CausalSelfAttention", att.params(), (p, x) -> att.apply(p, x), in(-1, 1, 2, 3, 4)));
        return out;
    }

    interface Forward { Var apply(Params p, Var x); }

    /** Checks the gradient with respect to the input and every parameter (the slab is the first input). */
    static Case moduleCase(String name, List<ParamSpec> specs, Forward f, Tensor x) {
        Model m = new Model(specs);
        Slab init = m.init(RandomKey.of(seed++), ScalarBackend.INSTANCE, DType.F64);
        // perturb zero-initialized biases so their gradients are not trivially zero
        init.flat().assign(init.flat().add(in(-0.1, 0.1, init.layout().size())));
        return new Case(name, v -> {
            Slab s = new Slab(m.layout(), v.get(0).value());
            Tape t = v.get(0).tape();
            java.util.Map<String, Var> vars = new java.util.LinkedHashMap<>();
            for (int i = 0; i < m.layout().count(); i++) {
                Shape sh = m.layout().shape(i);
                int off = m.layout().offset(i);
                vars.put(m.layout().names().get(i), v.get(0).slice(0, off, off + sh.numel(), 1).reshape(sh.dims()));
            }
            return f.apply(new Params(vars, s), v.get(1));
        }, List.of(init.flat(), x));
    }

    @TestFactory
    List<DynamicTest> everyDifferentiableFunction() {
        List<Case> cases = new ArrayList<>();
        for (Op.Unary u : Op.Unary.values()) cases.add(unary(u));
        for (Op.Binary b : Op.Binary.values()) cases.add(binary(b));
        for (Op.Reduce r : Op.Reduce.values()) cases.add(reduce(r));
        cases.addAll(structural());
        cases.addAll(composites());
        cases.addAll(modules());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            double err = GradCheck.maxError(c.f(), c.inputs());
            assertTrue(err < TOLERANCE, c.name() + ": max gradient error " + err);
        })).toList();
    }
}
