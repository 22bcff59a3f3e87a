package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

class TapeTest {
    private final Tensor two = Tensor.of(ScalarBackend.INSTANCE, new double[] {2, 3}, 2);

    @Test void fanOutAccumulates() {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y = x.mul(x).add(x).add(x.exp()).sumAll();   // x used four times
            Grads g = t.backward(y);
            assertArrayEquals(new double[] {2 * 2 + 1 + Math.exp(2), 2 * 3 + 1 + Math.exp(3)}, g.get(x).toDoubleArray(), 1e-12);
        }
    }

    @Test void deepChainDoesNotOverflowTheStack() {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y = x;
            for (int i = 0; i < 100_000; i++) y = y.add(y.scalar(1e-6));
            Grads g = t.backward(y.sumAll());
            assertArrayEquals(new double[] {1, 1}, g.get(x).toDoubleArray(), 0);
            assertEquals(100_000 + 2, t.size()); // the adds, then sum and reshape
        }
    }

    @Test void noGradRecordsNothing() throws Exception {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y;
            try (var ng = t.noGrad()) {
                y = x.mul(x);
            }
            assertFalse(y.requiresGrad());
            assertEquals(0, t.size());
            Grads g = t.backward(x.mul(y).sumAll());        // y is a constant: d/dx (x * c) = c
            assertArrayEquals(new double[] {4, 9}, g.get(x).toDoubleArray(), 0);
        }
    }

    @Test void constantsGetNoGradientAndUnusedParamsGetZeros() {
        try (Tape t = new Tape()) {
            Var x = t.param(two), unused = t.param(two), c = t.constant(two);
            Grads g = t.backward(x.mul(c).sumAll());
            assertFalse(g.has(c));
            assertArrayEquals(new double[] {0, 0}, g.get(unused).toDoubleArray(), 0);
            assertThrows(IllegalArgumentException.class, () -> t.backward(x));
        }
    }
}
