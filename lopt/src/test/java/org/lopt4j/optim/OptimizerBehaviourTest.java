package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/** Convergence on a parabola and Rosenbrock for every optimizer (optax's alias test), NaN safety, checkpoints. */
class OptimizerBehaviourTest {
    static final Backend B = Backends.best();

    static List<Optimizer> all() {
        return List.of(Sgd.plain(0.02), Sgd.momentum(0.002, 0.9), Sgd.nesterov(0.002, 0.9), Adam.lo(0.05), Adam.adamw(0.05, 1e-4),
                RmsProp.lo(0.01), Lion.of(0.003), NAdamW.of(0.05),
                new Adafactor(new Schedule.Constant(0.05), 128, 0.8, 1.0, 0, 0, 1e-30, NonFinitePolicy.SKIP_AND_COUNT),
                Wrapped.clipAndAccumulate(Adam.lo(0.05), 3.0, 2));
    }

    /** Minimizes f over 2 parameters [x, y] in F64 and returns the final point. */
    static double[] minimize(Optimizer o, double[] start, Function<double[], double[]> grad, int steps) {
        Slab p = Slab.zeros(B, DType.F64, SlabLayout.of(List.of("xy"), List.of(Shape.of(2))));
        p.tensor(0).assign(Tensor.of(B, start, 2));
        Slab g = p.zerosLike();
        OptState s = o.init(p);
        for (int i = 0; i < steps; i++) {
            g.tensor(0).assign(Tensor.of(B, grad.apply(p.tensor(0).toDoubleArray()), 2));
            s = o.update(s, p, g, new StepInfo(Double.NaN, steps));
        }
        return p.tensor(0).toDoubleArray();
    }

    @TestFactory
    List<DynamicTest> parabola() {
        return all().stream().map(o -> DynamicTest.dynamicTest(o.describe(), () -> {
            double[] x = minimize(o, new double[] {1.5, -2}, v -> new double[] {2 * v[0], 2 * v[1]}, 3000);
            assertTrue(Math.abs(x[0]) < 0.05 && Math.abs(x[1]) < 0.05, o.describe() + " ended at " + java.util.Arrays.toString(x));
        })).toList();
    }

    @TestFactory
    List<DynamicTest> rosenbrock() {
        // f = (1 - x)^2 + 100 (y - x^2)^2, minimum at (1, 1)
        Function<double[], double[]> grad = v -> new double[] {-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] * v[0]), 200 * (v[1] - v[0] * v[0])};
        List<Optimizer> fast = List.of(Adam.lo(0.02), Adam.adamw(0.02, 0), RmsProp.lo(0.002), NAdamW.of(0.02), Sgd.momentum(0.0005, 0.9),
                Sgd.nesterov(0.0005, 0.9), Lion.of(0.001), Sgd.plain(0.001));
        return fast.stream().map(o -> DynamicTest.dynamicTest(o.describe(), () -> {
            double[] x = minimize(o, new double[] {-0.5, 0.5}, grad, 20000);
            assertTrue(Math.abs(x[0] - 1) < 0.1 && Math.abs(x[1] - 1) < 0.2, o.describe() + " ended at " + java.util.Arrays.toString(x));
        })).toList();
    }

    @TestFactory
    List<DynamicTest> nanNeverReachesParameters() {
        return all().stream().map(o -> DynamicTest.dynamicTest(o.describe(), () -> {
            Slab p = Slab.zeros(B, DType.F32, SlabLayout.of(List.of("w"), List.of(Shape.of(300, 200))));
            p.flat().fill(0.5);
            Slab g = p.zerosLike();
            g.flat().fill(0.1);
            OptState s = o.init(p);
            s = o.update(s, p, g, StepInfo.NONE);
            float[] before = p.flat().toFloatArray();
            g.tensor(0).slice(0, 7, 8, 1).slice(1, 3, 4, 1).fill(Double.NaN);
            OptState after = o.update(s, p, g, StepInfo.NONE);
            assertArrayEquals(before, p.flat().toFloatArray(), "parameters untouched by a NaN step");
            assertEquals(s.skipped() + 1, after.skipped(), "skipped step counted");
            for (var e : after.slabs().values()) assertTrue(allFinite(e), "state stays finite");
        })).toList();
    }

    static boolean allFinite(Slab s) {
        for (float f : s.flat().toFloatArray()) if (!Float.isFinite(f)) return false;
        return true;
    }

    @Test void otherNonFinitePolicies() {
        Slab p = Slab.zeros(B, DType.F32, SlabLayout.of(List.of("w"), List.of(Shape.of(4))));
        Slab g = p.zerosLike();
        g.flat().assign(Tensor.of(B, new float[] {1, Float.POSITIVE_INFINITY, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16));
        Sgd thr = new Sgd(new Schedule.Constant(1), 0, false, NonFinitePolicy.THROW);
        assertThrows(NonFiniteGradientException.class, () -> thr.update(thr.init(p), p, g, StepInfo.NONE));
        Sgd zero = new Sgd(new Schedule.Constant(1), 0, false, NonFinitePolicy.ZERO_NONFINITE);
        zero.update(zero.init(p), p, g, StepInfo.NONE);
        assertArrayEquals(new float[] {-1, 0, -1, -1}, p.tensor(0).toFloatArray());
    }

    @Test void adamEpsRootMattersForTinyGradients() {
        double[] withRoot = minimize(Adam.lo(0.01), new double[] {1, 1}, v -> new double[] {1e-6, 1e-6}, 3);
        double[] without = minimize(Adam.plain(0.01), new double[] {1, 1}, v -> new double[] {1e-6, 1e-6}, 3);
        assertTrue(Math.abs((1 - withRoot[0]) - (1 - without[0])) > 1e-3, "eps_root 1e-8 shrinks the step when |g| << 1e-4");
    }

    @Test void adafactorFactorsByTheSpecRule() {
        Adafactor a = Adafactor.of(0.1);
        assertNull(a.factoredDims(Shape.of(256, 64)));
        assertArrayEquals(new int[] {1, 0}, a.factoredDims(Shape.of(256, 128)));
        assertArrayEquals(new int[] {0, 1}, a.factoredDims(Shape.of(128, 128)));
        Slab p = Slab.zeros(B, DType.F32, SlabLayout.of(List.of("f", "u"), List.of(Shape.of(256, 128), Shape.of(256, 64))));
        OptState s = a.init(p);
        assertEquals(Shape.of(128), s.slab("v_row").layout().shape(0));   // mean over d0 (the 256 axis)
        assertEquals(Shape.of(256), s.slab("v_col").layout().shape(0));   // mean over d1
        assertEquals(List.of("u"), s.slab("v").layout().names());
        assertNotNull(s);
    }

    @Test void cosineScheduleFollowsLearnedOptimization() {
        Schedule.Cosine c = new Schedule.Cosine(1.0, 0, 0.5, 0.01);
        assertEquals(0.0, c.at(0, 100), 0);
        assertEquals(0.5, c.at(25, 100), 1e-6);            // warmup spans max(0.01, 0.5)·T = 50 steps
        assertEquals(1.0, c.at(50, 100), 1e-6);
        assertEquals(0.5, c.at(75, 100), 1e-6);
        assertEquals(0.0, c.at(100, 100), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Cosine(1, 0, 1, 0));
    }

    @Test void stateSavesAndRestores(@TempDir Path dir) throws Exception {
        Adam o = Adam.lo(0.01);
        Slab p = Slab.zeros(B, DType.F32, SlabLayout.of(List.of("w", "b"), List.of(Shape.of(3, 2), Shape.of(2))));
        Slab g = p.zerosLike();
        g.tensor(0).fill(0.3);
        g.tensor(1).fill(-0.2);
        OptState s = o.update(o.init(p), p, g, StepInfo.NONE);
        s.save(dir.resolve("opt.safetensors"), o.describe());
        OptState back = OptState.load(dir.resolve("opt.safetensors"), o.describe(), o.init(p), B);
        assertEquals(1, back.step());
        assertArrayEquals(s.slab("m").flat().toFloatArray(), back.slab("m").flat().toFloatArray());
        assertThrows(java.io.IOException.class, () -> OptState.load(dir.resolve("opt.safetensors"), "sgd", o.init(p), B));
        OptState copy = s.copy();
        s.slab("v").flat().fill(9);
        assertTrue(copy.slab("v").flat().toFloatArray()[0] != 9f, "copies are deep");
    }
}
