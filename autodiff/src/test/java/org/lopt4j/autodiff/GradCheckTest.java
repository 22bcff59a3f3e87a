package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Central differences in F64 for every differentiable primitive and every composite of {@link Nn}. Cases for the
 * enum primitives come from exhaustive switch expressions, so a new primitive without a gradient check does not
 * compile. Inputs stay away from kinks (abs, relu, max at ties) and from poles (log, sqrt, recip, div at 0). The
 * modules are checked in {@link ModuleGradCheckTest}.
 */
class GradCheckTest {
    /** Inputs are F64 uniform draws in [lo, hi); each call uses a new seed so inputs differ. */
    private static int seed = 11;

    static Tensor in(double lo, double hi, int... dims) {
        Tensor u = Tensor.random(ScalarBackend.INSTANCE, DType.F64, Shape.of(dims), RandomKey.of(seed++), Op.Dist.UNIFORM);
        return u.mul(u.scalar(hi - lo)).add(u.scalar(lo));
    }

    /** Magnitudes in [lo, hi) with random signs: away from zero, where abs, sign and relu have kinks. */
    static Tensor awayFromZero(double lo, double hi, int... dims) {
        return in(lo, hi, dims).mul(in(-1, 1, dims).sign());
    }

    static Tensor ints(int[] data, int... dims) { return Tensor.of(ScalarBackend.INSTANCE, data, dims); }

    /** One gradient check: {@code f} of the inputs, checked with respect to every input. */
    record Case(String name, Function<List<Var>, Var> f, List<Tensor> inputs) {}

    static Case unary(Op.Unary u) {
        return switch (u) {
            case NEG -> new Case("neg", v -> v.get(0).neg(), List.of(in(-2, 2, 3, 4)));
            case RECIP -> new Case("recip", v -> v.get(0).recip(), List.of(awayFromZero(0.5, 2, 3, 4)));
            case EXP -> new Case("exp", v -> v.get(0).exp(), List.of(in(-2, 2, 3, 4)));
            case LOG -> new Case("log", v -> v.get(0).log(), List.of(in(0.5, 3, 3, 4)));
            case SQRT -> new Case("sqrt", v -> v.get(0).sqrt(), List.of(in(0.5, 3, 3, 4)));
            case TANH -> new Case("tanh", v -> v.get(0).tanh(), List.of(in(-2, 2, 3, 4)));
            case ABS -> new Case("abs", v -> v.get(0).abs(), List.of(awayFromZero(0.2, 2, 3, 4)));
            case SIGN -> new Case("sign (zero gradient)", v -> v.get(0).sign().mul(v.get(0)), List.of(awayFromZero(0.2, 2, 3, 4)));
        };
    }

    static Case binary(Op.Binary b) {
        return switch (b) {
            case ADD -> new Case("add broadcast", v -> v.get(0).add(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 4)));
            case SUB -> new Case("sub broadcast both", v -> v.get(0).sub(v.get(1)), List.of(in(-1, 1, 3, 1), in(-1, 1, 1, 4)));
            case MUL -> new Case("mul broadcast", v -> v.get(0).mul(v.get(1)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 3, 1)));
            case DIV -> new Case("div broadcast", v -> v.get(0).div(v.get(1)), List.of(in(-1, 1, 3, 4), awayFromZero(0.5, 2, 4)));
            // differences of uniform draws are never near zero for these seeds; ties are tested in TapeTest
            case MAX -> new Case("maximum broadcast", v -> v.get(0).maximum(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 4)));
            case MIN -> new Case("minimum broadcast", v -> v.get(0).minimum(v.get(1)), List.of(in(-1, 1, 3, 1), in(-1, 1, 3, 4)));
            case CMPLT -> new Case("lt (no gradient)", v -> v.get(0).lt(v.get(1)).mul(v.get(0)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
            case CMPEQ -> new Case("eq (no gradient)", v -> v.get(0).eq(v.get(0)).mul(v.get(1)), List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4)));
        };
    }

    static Case reduce(Op.Reduce r) {
        return switch (r) {
            case SUM -> new Case("sumKeep", v -> v.get(0).sumKeep(0, 2).mul(v.get(0).sumKeep(1)), List.of(in(-1, 1, 2, 3, 4)));
            case MAX -> new Case("maxKeep", v -> v.get(0).maxKeep(1).mul(v.get(0).maxKeep(0, 2)), List.of(in(-1, 1, 2, 3, 4)));
        };
    }

    /** Where, matmul, gather and the movement ops (not enums in {@link Op}, listed by hand). */
    static List<Case> structural() {
        Tensor idx = ints(new int[] {2, 0, 2, 4}, 2, 2);
        Tensor row = in(-1, 1, 1, 3);
        return List.of(
                new Case("matmul", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 3, 5), in(-1, 1, 5, 2))),
                new Case("matmul batched", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 2, 3, 5), in(-1, 1, 2, 5, 2))),
                new Case("matmul batched broadcast left", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 2, 3, 5), in(-1, 1, 5, 2))),
                new Case("matmul batched broadcast both", v -> v.get(0).matmul(v.get(1)), List.of(in(-1, 1, 2, 1, 3, 4), in(-1, 1, 3, 4, 2))),
                new Case("matmul transposed views", v -> v.get(0).mT().matmul(v.get(1).mT()), List.of(in(-1, 1, 4, 3), in(-1, 1, 2, 4))),
                new Case("where broadcast", v -> v.get(0).lt(v.get(0).scalar(0)).where(v.get(1), v.get(2)),
                        List.of(in(-1, 1, 3, 4), in(-1, 1, 3, 4), in(-1, 1, 4))),
                new Case("gather repeated rows", v -> v.get(0).gather(idx).square(), List.of(in(-1, 1, 5, 3))),
                new Case("gather 3-D table", v -> v.get(0).gather(idx), List.of(in(-1, 1, 5, 2, 3))),
                new Case("reshape", v -> v.get(0).reshape(4, 3).matmul(v.get(1)), List.of(in(-1, 1, 2, 6), in(-1, 1, 3, 2))),
                new Case("reshape of a permuted view", v -> v.get(0).permute(1, 0).reshape(-1), List.of(in(-1, 1, 3, 4))),
                new Case("permute", v -> v.get(0).permute(2, 0, 1).mul(v.get(1)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 4, 2, 3))),
                new Case("expand", v -> v.get(0).expand(Shape.of(3, 2, 4)).mul(v.get(1)), List.of(in(-1, 1, 2, 1), in(-1, 1, 3, 2, 4))),
                new Case("slice with step", v -> v.get(0).slice(1, 1, 6, 2).square(), List.of(in(-1, 1, 3, 7))),
                new Case("slice of a slice", v -> v.get(0).slice(0, 1, 3, 1).slice(1, 0, 7, 3), List.of(in(-1, 1, 3, 7))),
                new Case("pad", v -> v.get(0).pad(new int[] {1, 0}, new int[] {2, 1}).mul(v.get(1)), List.of(in(-1, 1, 2, 3), in(-1, 1, 5, 4))),
                new Case("cat with fan-out", v -> v.get(0).cat(1, List.of(v.get(1), v.get(0))).square(), List.of(in(-1, 1, 2, 3), in(-1, 1, 2, 2))),
                new Case("cat with a constant", v -> v.get(0).cat(0, List.of(v.get(0).constant(row))).square(), List.of(in(-1, 1, 2, 3))));
    }

    /** The conveniences {@link org.lopt4j.tensor.TensorLike} defines from the primitives. */
    static List<Case> conveniences() {
        return List.of(
                new Case("sum, mean, meanKeep, max over axes", v -> v.get(0).sum(0).mul(v.get(0).mean(1, 2).sumAll())
                        .add(v.get(0).meanKeep(2).max(0, 2).sumAll()), List.of(in(-1, 1, 2, 3, 4))),
                new Case("meanAll, square, scalar arithmetic", v -> v.get(0).square().add(1).sub(0.5).mul(3).div(2).meanAll(),
                        List.of(in(-1, 1, 3, 4))),
                new Case("transpose, unsqueeze, broadcastTo", v -> v.get(0).transpose(0, 2).unsqueeze(1)
                        .broadcastTo(Shape.of(4, 2, 3, 2)).mul(v.get(1)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 4, 2, 3, 2))));
    }

    /** Every public composite of {@link Nn}, with single and member-stacked (population) parameters. */
    static List<Case> composites() {
        Tensor labels = ints(new int[] {1, 0, 3}, 3);
        Tensor ids = ints(new int[] {1, 3, 3}, 3);
        Tensor memberIds = ints(new int[] {1, 3, 3, 0, 0, 2}, 2, 3);
        return List.of(
                new Case("relu", v -> Nn.relu(v.get(0)), List.of(awayFromZero(0.1, 1, 3, 4))),
                new Case("sigmoid", v -> Nn.sigmoid(v.get(0)), List.of(in(-3, 3, 3, 4))),
                new Case("gelu", v -> Nn.gelu(v.get(0)), List.of(in(-3, 3, 3, 4))),
                new Case("softmax", v -> Nn.softmax(v.get(0), -1), List.of(in(-2, 2, 3, 5))),
                new Case("logSoftmax axis 0", v -> Nn.logSoftmax(v.get(0), 0), List.of(in(-2, 2, 3, 5))),
                new Case("crossEntropy", v -> Nn.crossEntropy(v.get(0), labels), List.of(in(-2, 2, 3, 4))),
                new Case("layerNorm", v -> Nn.layerNorm(v.get(0), v.get(1), v.get(2), 1e-5),
                        List.of(in(-2, 2, 3, 5), in(0.5, 1.5, 5), in(-1, 1, 5))),
                new Case("layerNorm member-stacked", v -> Nn.layerNorm(v.get(0), v.get(1), v.get(2), 1e-5),
                        List.of(in(-2, 2, 2, 3, 5), in(0.5, 1.5, 2, 5), in(-1, 1, 2, 5))),
                new Case("linear rank 3 input", v -> Nn.linear(v.get(0), v.get(1), v.get(2)), List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 4, 2), in(-1, 1, 2))),
                new Case("linear without bias", v -> Nn.linear(v.get(0), v.get(1), null), List.of(in(-1, 1, 3, 4), in(-1, 1, 4, 2))),
                new Case("linear member-stacked", v -> Nn.linear(v.get(0), v.get(1), v.get(2)),
                        List.of(in(-1, 1, 2, 3, 4), in(-1, 1, 2, 4, 2), in(-1, 1, 2, 2))),
                new Case("embedding", v -> Nn.embedding(v.get(0), ids).square(), List.of(in(-1, 1, 4, 3))),
                new Case("embedding member-stacked", v -> Nn.embedding(v.get(0), memberIds), List.of(in(-1, 1, 2, 4, 3))),
                new Case("im2col", v -> Nn.im2col(v.get(0), 2, 2, 1, Nn.Padding.VALID), List.of(in(-1, 1, 1, 3, 3, 2))),
                new Case("conv2d stride 2 SAME", v -> Nn.conv2d(v.get(0), v.get(1), v.get(2), 2, Nn.Padding.same(5, 5, 3, 3, 2)),
                        List.of(in(-1, 1, 2, 5, 5, 2), in(-1, 1, 3, 3, 2, 3), in(-1, 1, 3))),
                new Case("conv2d VALID without bias", v -> Nn.conv2d(v.get(0), v.get(1), null, 1, Nn.Padding.VALID),
                        List.of(in(-1, 1, 1, 4, 3, 2), in(-1, 1, 2, 2, 2, 2))),
                new Case("conv2d member-stacked", v -> Nn.conv2d(v.get(0), v.get(1), v.get(2), 1, Nn.Padding.same(3, 3, 2, 2, 1)),
                        List.of(in(-1, 1, 2, 1, 3, 3, 2), in(-1, 1, 2, 2, 2, 2, 3), in(-1, 1, 2, 3))),
                new Case("maxPool2d VALID", v -> Nn.maxPool2d(v.get(0), 2, 2, Nn.Padding.VALID), List.of(in(-1, 1, 1, 4, 4, 2))),
                // positive inputs: the zero padding never ties with a window's maximum
                new Case("maxPool2d SAME", v -> Nn.maxPool2d(v.get(0), 3, 2, Nn.Padding.same(5, 5, 3, 3, 2)), List.of(in(0.1, 1, 1, 5, 5, 1))),
                new Case("avgPool2d overlapping", v -> Nn.avgPool2d(v.get(0), 2, 1), List.of(in(-1, 1, 1, 4, 4, 2))));
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (Op.Unary u : Op.Unary.values()) cases.add(unary(u));
        for (Op.Binary b : Op.Binary.values()) cases.add(binary(b));
        for (Op.Reduce r : Op.Reduce.values()) cases.add(reduce(r));
        cases.addAll(structural());
        cases.addAll(conveniences());
        cases.addAll(composites());
        return cases;
    }

    static DynamicTest check(Case c) {
        return DynamicTest.dynamicTest(c.name(), () -> {
            GradCheck.Result r = GradCheck.compare(c.f(), c.inputs());
            assertTrue(r.within(GradCheck.TOLERANCE), c.name() + ": " + r);
        });
    }

    @TestFactory
    List<DynamicTest> everyPrimitiveAndComposite() { return all().stream().map(GradCheckTest::check).toList(); }
}
