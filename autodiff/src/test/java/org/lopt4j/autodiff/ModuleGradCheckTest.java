package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.lopt4j.autodiff.GradCheckTest.in;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.autodiff.GradCheckTest.Case;
import org.lopt4j.autodiff.nn.SelfAttention;
import org.lopt4j.autodiff.nn.Conv2d;
import org.lopt4j.autodiff.nn.Embedding;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Gradient checks of every module with respect to its input and every parameter: the whole parameter slab is one
 * checked input, and the module reads its tensors as slices of it. Then {@link Model#bind} plus
 * {@link Grads#writeTo} must give the same gradient slab.
 */
class ModuleGradCheckTest {
    /** Both paths run the same float64 ops on each tensor; they differ only by adding zeros outside each slice. */
    static final double SAME_PATH_TOLERANCE = 1e-12;

    /** A module's forward from its parameters and one input. */
    interface Forward { Var apply(Params p, Var x); }

    record ModuleCase(String name, List<ParamSpec> specs, Forward f, Tensor x) {}

    static List<ModuleCase> modules() {
        List<ModuleCase> out = new ArrayList<>();
        Linear lin = new Linear("linear", 3, 2, true);
        out.add(new ModuleCase("Linear", lin.params(), lin::apply, in(-1, 1, 4, 3)));
        Mlp mlp = new Mlp("mlp", 4, new int[] {5, 3});
        out.add(new ModuleCase("Mlp", mlp.params(), mlp::apply, in(-1, 1, 2, 4)));
        Conv2d same = new Conv2d("conv", 3, 2, 3, 1, true);
        out.add(new ModuleCase("Conv2d SAME", same.params(), same::apply, in(-1, 1, 1, 4, 4, 2)));
        Conv2d valid = new Conv2d("conv", 2, 2, 2, 2, false);
        out.add(new ModuleCase("Conv2d VALID stride 2", valid.params(), valid::apply, in(-1, 1, 2, 5, 4, 2)));
        LayerNorm ln = new LayerNorm("ln", 4);
        out.add(new ModuleCase("LayerNorm", ln.params(), ln::apply, in(-1, 1, 3, 4)));
        Embedding emb = new Embedding("embed", 5, 3);
        Tensor ids = Tensor.of(ScalarBackend.INSTANCE, new int[] {4, 0, 4}, 3);
        out.add(new ModuleCase("Embedding", emb.params(), (p, x) -> emb.apply(p, ids).mul(x), in(-1, 1, 3, 3)));
        LstmCell lstm = new LstmCell("lstm", 3, 4);
        out.add(new ModuleCase("LstmCell two steps", lstm.params(), (p, x) -> {
            LstmCell.State s = new LstmCell.State(x.slice(1, 0, 4, 1), x.slice(1, 3, 7, 1));
            s = lstm.step(p, x.slice(1, 0, 3, 1), s);
            s = lstm.step(p, x.slice(1, 4, 7, 1), s);
            return s.h().cat(1, List.of(s.c()));
        }, in(-1, 1, 2, 7)));
        SelfAttention att = new SelfAttention("attn", 4, 2, true);
        out.add(new ModuleCase("SelfAttention", att.params(), att::apply, in(-1, 1, 2, 3, 4)));
        SelfAttention full = new SelfAttention("attn", 4, 2, false);
        out.add(new ModuleCase("SelfAttention (full)", full.params(), full::apply, in(-1, 1, 2, 3, 4)));
        return out;
    }

    /** A parameter slab with the modules' initializers plus small noise, so zero biases get non-trivial gradients. */
    static Slab initialized(Model m) {
        Slab s = m.init(RandomKey.of(5), ScalarBackend.INSTANCE, DType.F64);
        s.flat().assign(s.flat().add(in(-0.1, 0.1, s.layout().size())));
        return s;
    }

    /** The case on the flat slab: input 0 is the slab buffer, input 1 the module's input. */
    static Case flatCase(ModuleCase mc) {
        Model m = new Model(mc.specs());
        Slab init = initialized(m);
        return new Case(mc.name(), v -> {
            Map<String, Var> vars = new LinkedHashMap<>();
            for (int i = 0; i < m.layout().count(); i++) {
                Shape sh = m.layout().shape(i);
                int off = m.layout().offset(i);
                vars.put(m.layout().names().get(i), v.get(0).slice(0, off, off + sh.numel(), 1).reshape(sh.dims()));
            }
            return mc.f().apply(new Params(vars, init), v.get(1));
        }, List.of(init.flat(), mc.x()));
    }

    @TestFactory
    List<DynamicTest> everyModule() { return modules().stream().map(mc -> GradCheckTest.check(flatCase(mc))).toList(); }

    @Test void bindAndWriteToGiveTheFlatGradient() {
        for (ModuleCase mc : modules()) {
            Model m = new Model(mc.specs());
            Case c = flatCase(mc);
            Slab params = new Slab(m.layout(), c.inputs().get(0));
            Tensor weights;
            try (Tape t = new Tape()) { weights = in(-1, 1, mc.f().apply(m.bind(t, params), t.constant(mc.x())).shape().dims()); }
            double[] expected;
            try (Tape t = new Tape()) {
                Var flat = t.param(params.flat());
                Var loss = c.f().apply(List.of(flat, t.constant(mc.x()))).mul(t.constant(weights)).sumAll();
                expected = t.backward(loss).get(flat).toDoubleArray();
            }
            Slab grads = params.zerosLike();
            grads.flat().fill(7);   // writeTo must overwrite stale values, gaps included
            try (Tape t = new Tape()) {
                Params p = m.bind(t, params);
                Var loss = mc.f().apply(p, t.constant(mc.x())).mul(t.constant(weights)).sumAll();
                m.gradients(p, t.backward(loss), grads);
            }
            assertArrayEquals(expected, grads.flat().toDoubleArray(), SAME_PATH_TOLERANCE, mc.name());
        }
    }
}
