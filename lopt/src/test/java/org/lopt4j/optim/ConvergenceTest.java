package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/** optax's alias test: every optimizer minimizes a parabola and the Rosenbrock function to a tolerance (F64). */
class ConvergenceTest {
    static final Backend B = Backends.best();
    static final NonFinitePolicy SKIP = NonFinitePolicy.SKIP_AND_COUNT;

    /** One optimizer with the learning rate and step budget it gets on a problem. */
    record Run(String name, Optimizer<?> opt, int steps) {}

    /** Minimizes over the point [x, y] and returns the final point. */
    static <S extends OptState<S>> double[] minimize(Optimizer<S> o, double[] start, UnaryOperator<double[]> grad, int steps) {
        Slab p = Slab.zeros(B, DType.F64, SlabLayout.of(List.of("xy"), List.of(Shape.of(2))));
        p.tensor(0).assign(Tensor.of(B, start, 2));
        Slab g = p.zerosLike();
        S s = o.init(p);
        for (int i = 0; i < steps; i++) {
            g.tensor(0).assign(Tensor.of(B, grad.apply(p.tensor(0).toDoubleArray()), 2));
            s = o.update(s, p, g, new StepInfo(i, Double.NaN, steps));
        }
        return p.tensor(0).toDoubleArray();
    }

    static Adafactor adafactor(double lr, boolean paramScale) {
        return new Adafactor(new Schedule.Constant(lr), 128, 0.8, 0, paramScale, 1.0, 0, 0, 1e-30, true, SKIP);
    }

    /** f = x² + y², minimum at 0. */
    @TestFactory Stream<DynamicTest> parabola() {
        List<Run> runs = List.of(new Run("sgd", Sgd.of(0.02), 1000), new Run("momentum", Momentum.heavyBall(0.01, 0.9), 1000),
                new Run("nesterov", Momentum.nesterov(0.01, 0.9), 1000), new Run("adam", Adam.lo(0.05), 1000),
                new Run("adamw", AdamW.lo(0.05), 1000), new Run("nadamw", NAdamW.of(0.05), 1000),
                new Run("rmsprop", RmsProp.lo(0.01), 1000), new Run("rmsprop torch", RmsProp.torch(0.01), 1000),
                new Run("lion", Lion.of(0.003), 1500), new Run("adafactor", adafactor(0.05, true), 3000),
                new Run("wrapped adam", new GradientWrapper<>(Adam.lo(0.05), 1e-4, 3, 5, 2, SKIP), 2000));
        return runs.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            double[] x = minimize(r.opt(), new double[] {1.5, -2}, v -> new double[] {2 * v[0], 2 * v[1]}, r.steps());
            assertTrue(Math.abs(x[0]) < 0.01 && Math.abs(x[1]) < 0.01, r.name() + " ended at " + Arrays.toString(x));
        }));
    }

    /** f = (1 − x)² + 100·(y − x²)², minimum at (1, 1), from (−0.5, 0.5). */
    @TestFactory Stream<DynamicTest> rosenbrock() {
        UnaryOperator<double[]> grad = v -> new double[] {-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] * v[0]), 200 * (v[1] - v[0] * v[0])};
        List<Run> runs = List.of(new Run("sgd", Sgd.of(0.001), 20000), new Run("momentum", Momentum.heavyBall(0.0005, 0.9), 20000),
                new Run("nesterov", Momentum.nesterov(0.0005, 0.9), 20000), new Run("adam", Adam.lo(0.02), 5000),
                new Run("adamw", AdamW.of(0.02, 0), 5000), new Run("nadamw", NAdamW.of(0.02), 5000),
                new Run("rmsprop", RmsProp.lo(0.002), 10000), new Run("lion", new Lion(new Schedule.Constant(0.001), 0.9, 0.99, 0, SKIP), 10000),
                new Run("adafactor", adafactor(0.01, false), 10000),
                new Run("wrapped adam", GradientWrapper.clipAndAccumulate(Adam.lo(0.02), 100, 2), 10000));
        return runs.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            double[] x = minimize(r.opt(), new double[] {-0.5, 0.5}, grad, r.steps());
            assertTrue(Math.abs(x[0] - 1) < 0.05 && Math.abs(x[1] - 1) < 0.1, r.name() + " ended at " + Arrays.toString(x));
        }));
    }
}
