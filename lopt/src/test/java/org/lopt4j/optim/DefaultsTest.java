package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** The documented defaults of each source ([LO], optax, PyTorch), and where they make a difference. */
class DefaultsTest {
    @Test void learnedOptimizationDefaults() {
        Adam adam = Adam.lo();
        assertEquals(List.of(0.01, 0.9, 0.999, 1e-8, 1e-8), List.of(((Schedule.Constant) adam.lr()).lr(), adam.beta1(), adam.beta2(), adam.eps(), adam.epsRoot()));
        AdamW adamw = AdamW.lo(0.01);
        assertEquals(List.of(0.0, 1e-4), List.of(adamw.epsRoot(), adamw.weightDecay()));
        assertEquals(1e-2, AdamW.torch(0.01).weightDecay());
        assertEquals(0.0, Adam.optax(0.01).epsRoot());
        RmsProp rms = RmsProp.lo(0.01);
        assertEquals(List.of(0.9, 1e-8), List.of(rms.decay(), rms.eps()));
        assertTrue(rms.epsInSqrt(), "optax semantics by default");
        assertEquals(0.99, RmsProp.torch(0.01).decay());
        assertEquals(0.01, ((Schedule.Constant) Sgd.lo().lr()).lr());
        assertEquals(0.9, Momentum.lo().momentum());
        Adafactor ada = Adafactor.of(0.1);
        assertEquals(List.of(128.0, 0.8, 1.0, 1e-30), List.of((double) ada.minDimSizeToFactor(), ada.decayRate(), ada.clippingThreshold(), ada.eps()));
        assertTrue(ada.multiplyByParameterScale() && ada.factored());
        Lion lion = Lion.of(1e-4);
        assertEquals(List.of(0.9, 0.99, 1e-3), List.of(lion.beta1(), lion.beta2(), lion.weightDecay()));
        Muon muon = Muon.of(1e-3);                                           // torch 2.9's torch.optim.Muon
        assertEquals(List.of(0.95, 0.1), List.of(muon.momentum(), muon.weightDecay()));
        assertTrue(muon.nesterov());
        assertEquals(Math.sqrt(4), Muon.scale(16, 64), 1e-15, "a weight with 4x more outputs than inputs: lr x 2");
        assertEquals(1, Muon.scale(64, 16), 0, "never below 1");
    }

    /** base_optimizers.md: Adam with eps_root 1e-8 vs 0 differs measurably when |g| < 1e-3. */
    @Test void epsRootShrinksAdamStepsForTinyGradients() {
        double withRoot = firstStep(Adam.lo(0.01), 1e-6), without = firstStep(Adam.optax(0.01), 1e-6);
        assertEquals(0.01 * 1e-6 / (1e-6 + 1e-8), without, 1e-15, "eps_root 0: the first step is lr·g/(|g| + eps)");
        assertEquals(0.01 * 1e-6 / (Math.sqrt(1e-12 + 1e-8) + 1e-8), withRoot, 1e-12, "eps_root 1e-8 floors the denominator near 1e-4");
        assertTrue(withRoot < without / 50);
    }

    static double firstStep(Adam o, double g) {
        Backend b = ScalarBackend.INSTANCE;
        Slab p = Slab.zeros(b, DType.F64, SlabLayout.of(List.of("x"), List.of(Shape.of(1))));
        Slab gs = Slab.zeros(b, DType.F64, p.layout());
        gs.tensor(0).assign(Tensor.of(b, new double[] {g}, 1));
        o.update(o.init(p), p, gs, StepInfo.NONE);
        return -p.tensor(0).item();
    }

    @Test void hyperparametersAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(new Schedule.Constant(0.1), 1.0, 0.999, 1e-8, 0, NonFinitePolicy.SKIP_AND_COUNT));
        assertThrows(IllegalArgumentException.class, () -> new Adam(new Schedule.Constant(0.1), 0.9, 0.999, 0, 0, NonFinitePolicy.SKIP_AND_COUNT));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(new Schedule.Constant(0.1), 0.9, 0, true, false, 0, false, NonFinitePolicy.SKIP_AND_COUNT));
        assertThrows(IllegalArgumentException.class, () -> new GradientWrapper<>(Sgd.of(1), 0, 0, 0, 0, NonFinitePolicy.SKIP_AND_COUNT));
        Slab p = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, SlabLayout.of(List.of("x"), List.of(Shape.of(2))));
        Slab g = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, SlabLayout.of(List.of("y"), List.of(Shape.of(2))));
        Sgd sgd = Sgd.of(0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.update(sgd.init(p), p, g, StepInfo.NONE));
        assertTrue(e.getMessage().contains("does not match the parameter slab"), e.getMessage());
    }
}
