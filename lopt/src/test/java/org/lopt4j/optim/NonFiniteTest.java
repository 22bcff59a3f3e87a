package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** A NaN or ±Inf gradient never reaches the parameters: every optimizer, every implementation, every policy. */
class NonFiniteTest {
    static final SlabLayout L = Problems.LAYOUT;
    /** Steps planned (scheduled optimizers need a plan). */
    static final StepInfo PLAN = new StepInfo(0, Double.NaN, 10);

    @TestFactory Stream<DynamicTest> skipAndCountLeavesParametersAndStateUntouched() {
        return OptimizerCases.all().stream().flatMap(c -> FusedMatchesSpecTest.IMPLEMENTATIONS.stream().flatMap(f ->
                Stream.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).map(bad ->
                        DynamicTest.dynamicTest(c.name() + " on " + f.name() + " with " + bad, () -> {
                            skips(c.fast(), new WithFused(ScalarBackend.INSTANCE, f), bad);
                            skips(c.spec(), ScalarBackend.INSTANCE, bad);
                        }))));
    }

    static <S extends OptState<S>> void skips(Optimizer<S> o, Backend b, double bad) {
        Slab p = Problems.slab(b, DType.F32, L, Problems.params(L)), g = Slab.zeros(b, DType.F32, L);
        S s = o.init(p);
        Problems.write(g, Problems.grads(L, 0));
        s = o.update(s, p, g, PLAN);                                   // a normal step first: state is not zero
        Map<String, float[]> before = snapshot(p, s);
        double[] poisoned = Problems.grads(L, 1);
        poisoned[L.offset(2) + 5] = bad;                                          // one element of the conv kernel
        Problems.write(g, poisoned);
        S after = o.update(s, p, g, PLAN);
        Map<String, float[]> now = snapshot(p, after);
        for (String k : before.keySet()) assertArrayEquals(before.get(k), now.get(k), k + " untouched by a non-finite step");
        assertEquals(s.skipped() + 1, after.skipped(), "skipped step counted");
        assertEquals(s.step(), after.step(), "no update counted");
        Problems.write(g, Problems.grads(L, 2));
        S next = o.update(after, p, g, PLAN);
        snapshot(p, next).forEach((k, v) -> { for (float x : v) assertTrue(Float.isFinite(x), k + " finite after the next step"); });
    }

    static Map<String, float[]> snapshot(Slab params, OptState<?> s) {
        Map<String, float[]> m = new TreeMap<>();
        m.put("params", params.flat().toFloatArray());
        s.buffers().forEach((k, v) -> m.put("state " + k, v.flat().toFloatArray()));
        return m;
    }

    static List<FusedOps> impls() { return FusedMatchesSpecTest.IMPLEMENTATIONS; }

    @Test void throwPolicyThrowsBeforeTouchingAnything() {
        for (FusedOps f : impls()) {
            Backend b = new WithFused(ScalarBackend.INSTANCE, f);
            Adam adam = new Adam(new Schedule.Constant(0.1), 0.9, 0.999, 1e-8, 0, NonFinitePolicy.THROW);
            Slab p = Problems.slab(b, DType.F32, L, Problems.params(L)), g = Slab.zeros(b, DType.F32, L);
            double[] poisoned = Problems.grads(L, 0);
            poisoned[3] = Double.NaN;
            Problems.write(g, poisoned);
            float[] before = p.flat().toFloatArray();
            Adam.State s = adam.init(p);
            NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, () -> adam.update(s, p, g, PLAN));
            assertTrue(e.getMessage().contains("1 non-finite"), e.getMessage());
            assertArrayEquals(before, p.flat().toFloatArray());
            assertArrayEquals(new float[L.size()], s.m().flat().toFloatArray());
        }
    }

    @Test void zeroPolicyStepsAsIfTheElementWereZero() {
        for (FusedOps f : impls()) {
            Backend b = new WithFused(ScalarBackend.INSTANCE, f);
            for (Optimizer<?> o : List.of(new Sgd(new Schedule.Constant(0.1), NonFinitePolicy.ZERO_NONFINITE),
                    new Lion(new Schedule.Constant(0.1), 0.9, 0.99, 0, NonFinitePolicy.ZERO_NONFINITE),
                    new GradientWrapper<>(Sgd.of(0.1), 0.01, 1, 3, 1, NonFinitePolicy.ZERO_NONFINITE))) {
                double[] poisoned = Problems.grads(L, 0), zeroed = poisoned.clone();
                poisoned[7] = Double.POSITIVE_INFINITY;
                zeroed[7] = 0;
                assertArrayEquals(oneStep(o, b, zeroed), oneStep(o, b, poisoned), o.name() + " on " + f.name());
            }
        }
    }

    static <S extends OptState<S>> float[] oneStep(Optimizer<S> o, Backend b, double[] grads) {
        Slab p = Problems.slab(b, DType.F32, L, Problems.params(L)), g = Problems.slab(b, DType.F32, L, grads);
        S s = o.update(o.init(p), p, g, PLAN);
        assertEquals(1, s.step());
        return p.flat().toFloatArray();
    }
}
