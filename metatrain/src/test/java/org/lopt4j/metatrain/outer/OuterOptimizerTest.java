package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Clip ∘ accumulate ∘ Adam on θ (outer_training.md §9, §12). */
class OuterOptimizerTest {
    @Test void firstAdamStepMovesByTheLearningRate() {
        OuterOptimizer o = new OuterOptimizer(0.1, 0.9, 0.999, 1e-8, 0, 0, 1);
        double[] theta = {1, 1};
        o.update(o.init(2), theta, new double[] {0.5, -2}, 0);
        assertEquals(0.9, theta[0], 1e-6);                                          // m̂/sqrt(v̂) = sign(g) at t = 1
        assertEquals(1.1, theta[1], 1e-6);
    }

    @Test void clipsByValueBeforeAccumulating() {
        OuterOptimizer o = new OuterOptimizer(0.1, 0.9, 0.999, 1e-8, 1e-8, 3, 2);
        double[] theta = {0};
        OuterOptimizer.State s = o.update(o.init(1), theta, new double[] {100}, 1);
        assertEquals(3, s.acc()[0]);
        assertEquals(0, theta[0]);
    }

    @Test void accumulatorAppliesOnlyEveryKthCall() {
        OuterOptimizer o = new OuterOptimizer(0.01, 0.9, 0.999, 1e-8, 1e-8, 3, 10);
        double[] theta = {0};
        OuterOptimizer.State s = o.init(1);
        for (int call = 1; call <= 30; call++) {
            double before = theta[0];
            s = o.update(s, theta, new double[] {1}, 0);
            if (call % 10 == 0) {
                assertNotEquals(before, theta[0], "call " + call);
                assertEquals(call / 10, s.applied());
            } else {
                assertEquals(before, theta[0], "call " + call);
            }
        }
        assertEquals(3, s.applied());
    }
}
