package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.optim.spec.OptimizerSpecs;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Every fused optimizer against its tensor-op spec: in F64 to float64 rounding, in F32 to float32 rounding. */
class FusedMatchesSpecTest {
    /** F64 fused vs F64 spec: same formulas, different association; a few ulps over 5 steps. */
    static final double F64_REL = 1e-12;
    /**
     * F32 fused vs F64 spec: float32 state and parameters, and β rounded to float32 as the specs require
     * (1 − 0.999f differs from 0.001 by 1.3e-5 relative).
     */
    static final double F32_REL = 3e-5;
    /** Absolute floor for F32 state comparisons: centered RMSProp's v − mg² cancels and amplifies float32 error. */
    static final double F32_STATE_FLOOR = 1e-2;

    static final SlabLayout LAYOUT = SlabLayout.of(List.of("a", "b", "c", "d"),
            List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1)));

    record Case(String name, Optimizer opt, Spec spec) {}

    interface Spec { void step(Tensor p, Tensor g, Map<String, Tensor> state, int t); }

    static List<Case> cases() {
        Sgd sgd = Sgd.plain(0.1), mom = Sgd.momentum(0.05, 0.9), nes = Sgd.nesterov(0.05, 0.9);
        Adam adam = Adam.lo(1e-2), adamw = Adam.adamw(1e-2, 1e-2);
        RmsProp rms = RmsProp.lo(1e-2), rmsC = new RmsProp(new Schedule.Constant(1e-2), 0.9, 1e-8, true, true, 0.5, NonFinitePolicy.SKIP_AND_COUNT);
        Lion lion = Lion.of(1e-3);
        NAdamW nad = new NAdamW(new Schedule.Constant(1e-2), 0.9, 0.999, 1e-8, 0.01, 0.001, true, NonFinitePolicy.SKIP_AND_COUNT);
        return List.of(
                new Case("sgd", sgd, (p, g, s, t) -> OptimizerSpecs.sgd(sgd, p, g, s, 0.1)),
                new Case("momentum", mom, (p, g, s, t) -> OptimizerSpecs.sgd(mom, p, g, s, 0.05)),
                new Case("nesterov", nes, (p, g, s, t) -> OptimizerSpecs.sgd(nes, p, g, s, 0.05)),
                new Case("adam eps_root", adam, (p, g, s, t) -> OptimizerSpecs.adam(adam, p, g, s, 1e-2, t)),
                new Case("adamw", adamw, (p, g, s, t) -> OptimizerSpecs.adam(adamw, p, g, s, 1e-2, t)),
                new Case("rmsprop", rms, (p, g, s, t) -> OptimizerSpecs.rmsprop(rms, p, g, s, 1e-2)),
                new Case("rmsprop centered momentum", rmsC, (p, g, s, t) -> OptimizerSpecs.rmsprop(rmsC, p, g, s, 1e-2)),
                new Case("lion", lion, (p, g, s, t) -> OptimizerSpecs.lion(lion, p, g, s, 1e-3)),
                new Case("nadamw", nad, (p, g, s, t) -> OptimizerSpecs.nadamw(nad, p, g, s, 1e-2, t)));
    }

    static Slab random(Backend b, DType d, int seed, double scale) {
        Slab s = Slab.zeros(b, d, LAYOUT);
        for (int i = 0; i < LAYOUT.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, LAYOUT.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(i == 1 ? scale * 1e-4 : scale)).to(d).to(b));
        }
        return s;
    }

    @TestFactory
    List<DynamicTest> fusedEqualsSpec() {
        return cases().stream().flatMap(c -> java.util.stream.Stream.of(DType.F64, DType.F32).map(d -> DynamicTest.dynamicTest(c.name + " " + d, () -> {
            Backend fast = Backends.best();
            Slab p = random(fast, d, 1, 1), specP = random(ScalarBackend.INSTANCE, DType.F64, 1, 1);
            OptState s = c.opt.init(p), specS = c.opt.init(specP);
            for (int t = 1; t <= 5; t++) {
                Slab g = random(fast, d, 100 + t, 1), specG = random(ScalarBackend.INSTANCE, DType.F64, 100 + t, 1);
                s = c.opt.update(s, p, g, StepInfo.NONE);
                for (int i = 0; i < LAYOUT.count(); i++) {
                    Map<String, Tensor> views = new HashMap<>();
                    for (var e : specS.slabs().entrySet()) views.put(e.getKey(), e.getValue().tensor(i));
                    c.spec.step(specP.tensor(i), specG.tensor(i), views, t);
                }
                double[] want = specP.flat().toDoubleArray(), got = p.flat().toDoubleArray();
                double rel = d == DType.F64 ? F64_REL : F32_REL;
                for (int e = 0; e < want.length; e++) {
                    assertEquals(want[e], got[e], rel * Math.max(1, Math.abs(want[e])), c.name + " " + d + " step " + t + " [" + e + "]");
                }
                for (var e : specS.slabs().entrySet()) {
                    double[] ws = e.getValue().flat().toDoubleArray(), gs = s.slab(e.getKey()).flat().toDoubleArray();
                    for (int k = 0; k < ws.length; k++) assertEquals(ws[k], gs[k], rel * Math.max(d == DType.F64 ? 1e-3 : F32_STATE_FLOOR, Math.abs(ws[k])), c.name + " state " + e.getKey());
                }
            }
            assertTrue(java.util.Arrays.stream(p.flat().toDoubleArray()).allMatch(Double::isFinite));
        }))).toList();
    }
}
