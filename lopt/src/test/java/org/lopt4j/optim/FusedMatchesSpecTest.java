package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.fused.SimdFusedOps;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * The ladder for every optimizer of {@link OptimizerCases}: the tensor-op spec (F64, ScalarBackend) is the control;
 * the plain-loop twins and the SIMD fused kernels (128 and 256 bits) must match it in F64 at every step and in the
 * final state, and in F32 to float tolerance. Also: the gaps between tensors stay zero.
 */
class FusedMatchesSpecTest {
    /** F64, same formulas in a different operation order: only the last bits differ after 5 steps. */
    static final double F64_REL = 1e-12;
    /** F64: elements below this fraction of their tensor's largest magnitude are compared at that floor. */
    static final double F64_FLOOR = 1e-3;
    /**
     * F32 kernels against the F64 spec, relative to each tensor's largest magnitude: float32 rounding (6e-8) of the
     * inputs and of a few operations per step, over 5 steps; cancellation makes it absolute at the tensor's scale.
     */
    static final double F32_REL = 2e-6;
    static final double F32_FLOOR = 1;
    static final int STEPS = 5;

    static final List<FusedOps> IMPLEMENTATIONS = List.of(RefFusedOps.INSTANCE, new SimdFusedOps(128), new SimdFusedOps(256));

    /** One slab's values after a step, with its layout for per-tensor comparison. */
    record Snapshot(String what, SlabLayout layout, double[] values) {}

    /** Runs {@code o} for {@link #STEPS} steps on backend {@code b}: parameters after each step, then every buffer. */
    static <S extends OptState<S>> List<Snapshot> run(Optimizer<S> o, Backend b, DType d) {
        SlabLayout l = Problems.LAYOUT;
        Slab p = Problems.slab(b, d, l, Problems.params(l)), g = Slab.zeros(b, d, l);
        S s = o.init(p);
        List<Snapshot> out = new ArrayList<>();
        for (int k = 0; k < STEPS; k++) {
            Problems.write(g, Problems.grads(l, k));
            s = o.update(s, p, g, new StepInfo(k, 1.0, 12));
            out.add(new Snapshot("params after step " + k, l, p.flat().toDoubleArray()));
        }
        for (Map.Entry<String, Slab> e : new TreeMap<>(s.buffers()).entrySet()) {
            out.add(new Snapshot("state '" + e.getKey() + "'", e.getValue().layout(), e.getValue().flat().toDoubleArray()));
        }
        assertEquals(STEPS, s.step(), "applied steps");
        return out;
    }

    /** Per tensor: {@code |Δ| ≤ rel·max(|want|, floor·max|want over the tensor|)}. */
    static void assertClose(String label, List<Snapshot> want, List<Snapshot> got, double rel, double floor) {
        assertEquals(want.size(), got.size(), label + ": snapshot count");
        for (int n = 0; n < want.size(); n++) {
            Snapshot w = want.get(n), x = got.get(n);
            SlabLayout l = w.layout();
            for (int i = 0; i < l.count(); i++) {
                double max = 0;
                for (int e = 0; e < l.numel(i); e++) max = Math.max(max, Math.abs(w.values()[l.offset(i) + e]));
                for (int e = 0; e < l.numel(i); e++) {
                    double a = w.values()[l.offset(i) + e], c = x.values()[l.offset(i) + e];
                    double tol = rel * Math.max(Math.abs(a), floor * max);
                    if (!(Math.abs(a - c) <= tol)) {
                        throw new AssertionError(label + ", " + w.what() + ", tensor '" + l.names().get(i) + "'[" + e + "]: expected "
                                + a + ", got " + c + " (|Δ| " + Math.abs(a - c) + " > " + tol + ")");
                    }
                }
            }
        }
    }

    static Stream<DynamicTest> perCase(java.util.function.BiConsumer<OptimizerCases.Case<?>, FusedOps> body) {
        return OptimizerCases.all().stream().flatMap(c -> IMPLEMENTATIONS.stream().map(f ->
                DynamicTest.dynamicTest(c.name() + " on " + f.name(), () -> body.accept(c, f))));
    }

    @TestFactory Stream<DynamicTest> f64TwinAndFusedMatchTheSpec() {
        return perCase((c, f) -> {
            List<Snapshot> spec = run(c.spec(), ScalarBackend.INSTANCE, DType.F64);
            assertClose(c.name() + " " + f.name() + " vs spec (F64)", spec, run(c.fast(), new WithFused(ScalarBackend.INSTANCE, f), DType.F64), F64_REL, F64_FLOOR);
        });
    }

    @TestFactory Stream<DynamicTest> f32MatchesTheF64Spec() {
        return perCase((c, f) -> {
            List<Snapshot> spec = run(c.spec(), ScalarBackend.INSTANCE, DType.F64);
            assertClose(c.name() + " " + f.name() + " F32 vs spec F64", spec, run(c.fast(), new WithFused(ScalarBackend.INSTANCE, f), DType.F32), F32_REL, F32_FLOOR);
        });
    }

    @TestFactory Stream<DynamicTest> gapsBetweenTensorsStayZero() {
        return perCase((c, f) -> {
            for (Snapshot s : run(c.fast(), new WithFused(ScalarBackend.INSTANCE, f), DType.F32)) {
                SlabLayout l = s.layout();
                for (int i = 0; i < l.count(); i++) {
                    int end = i + 1 < l.count() ? l.offset(i + 1) : l.size();
                    for (int j = l.offset(i) + l.numel(i); j < end; j++) {
                        assertTrue(s.values()[j] == 0, c.name() + " on " + f.name() + ", " + s.what() + ": gap element " + j + " is " + s.values()[j]);
                    }
                }
            }
        });
    }

    @TestFactory Stream<DynamicTest> scalarBackendUsesTheTwins() {
        return Stream.of(DynamicTest.dynamicTest("default fused()", () -> assertEquals("ref", ScalarBackend.INSTANCE.fused().name())));
    }
}
