package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

class TapeTest {
    private static final ScalarBackend B = ScalarBackend.INSTANCE;
    /** Sums of a few exactly representable terms and exp(): double rounding only. */
    private static final double EXACT = 1e-12;

    private final Tensor two = Tensor.of(B, new double[] {2, 3}, 2);

    @Test void fanOutAccumulates() {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y = x.mul(x).add(x).add(x.exp()).sumAll();   // x used four times
            Grads g = t.backward(y);
            assertArrayEquals(new double[] {2 * 2 + 1 + Math.exp(2), 2 * 3 + 1 + Math.exp(3)}, g.get(x).toDoubleArray(), EXACT);
        }
    }

    @Test void accumulationNeverWritesIntoAGradientSharedWithAnotherInput() {
        try (Tape t = new Tape()) {
            Var x = t.param(two), z = t.param(two);
            Var w = t.constant(Tensor.of(B, new double[] {5, 7}, 2));
            Var early = x.mul(x.scalar(3)).sumAll().add(x.mul(x.scalar(2)).sumAll());   // reach x after the add
            Var loss = early.add(x.add(z).mul(w).sumAll());
            Grads g = t.backward(loss);     // add's backward hands x and z the same tensor, then x gets two more terms
            assertArrayEquals(new double[] {5 + 3 + 2, 7 + 3 + 2}, g.get(x).toDoubleArray(), 0);
            assertArrayEquals(new double[] {5, 7}, g.get(z).toDoubleArray(), 0);
        }
    }

    @Test void deepChainDoesNotOverflowTheStack() {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y = x;
            for (int i = 0; i < 100_000; i++) y = y.add(y.scalar(1e-6));
            Grads g = t.backward(y.sumAll());
            assertArrayEquals(new double[] {1, 1}, g.get(x).toDoubleArray(), 0);
            assertEquals(100_000 + 2, t.size()); // the adds, then sumKeep and reshape
        }
    }

    @Test void gradientsAreBitForBitReproducible() {
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            Tensor x = Tensor.random(B, DType.F32, Shape.of(4, 8), RandomKey.of(3), Op.Dist.NORMAL);
            try (Tape t = new Tape()) {
                Var v = t.param(x);
                Var h = v.matmul(v.mT()).tanh();
                Var loss = Nn.softmax(h, -1).mul(h).add(h.exp()).sub(Nn.sigmoid(v.sum(1).unsqueeze(1))).sumAll();
                runs[r] = t.backward(loss).get(v).toFloatArray();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    @Test void noGradRecordsNothingAndNests() {
        try (Tape t = new Tape()) {
            Var x = t.param(two);
            Var y, z;
            try (var outer = t.noGrad()) {
                try (var inner = t.noGrad()) {
                    y = x.mul(x);
                }
                assertFalse(t.recording());
                z = y.add(x);
                outer.close();          // a second close is harmless
            }
            assertTrue(t.recording());
            assertFalse(y.requiresGrad());
            assertFalse(z.requiresGrad());
            assertEquals(0, t.size());
            Grads g = t.backward(x.mul(y).sumAll());        // y is a constant: d/dx (x * c) = c
            assertArrayEquals(new double[] {4, 9}, g.get(x).toDoubleArray(), 0);
        }
    }

    @Test void constantsGetNoGradientAndUnusedParamsGetZeros() {
        try (Tape t = new Tape()) {
            Var x = t.param(two), unused = t.param(two), c = t.constant(two);
            Var mid = x.mul(c);
            Grads g = t.backward(mid.sumAll());
            assertTrue(g.has(x));
            assertFalse(g.has(unused));
            assertArrayEquals(new double[] {0, 0}, g.get(unused).toDoubleArray(), 0);
            assertThrows(IllegalArgumentException.class, () -> g.get(c));     // only parameters keep gradients
            assertThrows(IllegalArgumentException.class, () -> g.get(mid));
            assertThrows(IllegalArgumentException.class, () -> t.backward(x)); // not one element
        }
    }

    @Test void variablesOfTwoTapesDoNotMix() {
        try (Tape a = new Tape(); Tape b = new Tape()) {
            Var x = a.param(two), y = b.param(two);
            assertThrows(IllegalArgumentException.class, () -> x.add(y));
            assertThrows(IllegalArgumentException.class, () -> b.backward(x.sumAll()));
        }
    }

    @Test void tiesShareTheGradientEqually() {
        try (Tape t = new Tape()) {
            Var a = t.param(Tensor.of(B, new double[] {1, 2, 3}, 3)), b = t.param(Tensor.of(B, new double[] {1, 5, 0}, 3));
            Grads g = t.backward(a.maximum(b).add(a.minimum(b).mul(10)).sumAll());
            assertArrayEquals(new double[] {5.5, 10, 1}, g.get(a).toDoubleArray(), 0);
            assertArrayEquals(new double[] {5.5, 1, 10}, g.get(b).toDoubleArray(), 0);
        }
        try (Tape t = new Tape()) {
            Var x = t.param(Tensor.of(B, new double[] {4, 1, 4, 0, 0, 0}, 2, 3));
            Grads g = t.backward(x.maxKeep(1).mul(x.scalar(6)).sumAll().add(Nn.relu(x).sumAll()));
            // max: 6 shared by two 4s, and by three 0s; relu'(0) is 1/2 (a tie of x with 0)
            assertArrayEquals(new double[] {4, 1, 4, 2.5, 2.5, 2.5}, g.get(x).toDoubleArray(), 0);
        }
    }

    @Test void writeToFillsAGradientSlabFromAnyViewsOfTheParameters() {
        SlabLayout layout = SlabLayout.of(List.of("a", "b"), List.of(Shape.of(2), Shape.of(3)));
        Slab params = Slab.zeros(B, DType.F64, layout);
        params.flat().assign(Tensor.random(B, DType.F64, Shape.of(layout.size()), RandomKey.of(1), Op.Dist.NORMAL));
        Slab grads = params.zerosLike();
        grads.flat().fill(9);
        try (Tape t = new Tape()) {
            Var a = t.param(params.tensor(0)), aAgain = t.param(params.tensor(0)), b = t.param(params.tensor(1));
            t.param(Tensor.zeros(B, DType.F64, Shape.of(2)));               // another buffer: ignored
            Var loss = a.mul(a.scalar(3)).sumAll().add(aAgain.sumAll()).add(b.slice(0, 0, 3, 2).square().sumAll());
            t.backward(loss).writeTo(params, grads);
        }
        double[] p = params.flat().toDoubleArray(), g = grads.flat().toDoubleArray();
        int ob = layout.offset(1);
        assertArrayEquals(new double[] {4, 4}, java.util.Arrays.copyOfRange(g, 0, 2), 0);        // 3 + 1: bound twice
        assertArrayEquals(new double[] {2 * p[ob], 0, 2 * p[ob + 2]}, java.util.Arrays.copyOfRange(g, ob, ob + 3), EXACT);
        for (int i = 2; i < ob; i++) assertEquals(0, g[i], "gap element " + i);
        try (Tape t = new Tape()) {
            t.param(Tensor.zeros(B, DType.F64, Shape.of(2)));
            Grads none = t.backward(t.param(two).sumAll());
            assertThrows(IllegalArgumentException.class, () -> none.writeTo(params, grads));
        }
    }

    @Test void writeToHandlesMemberStackedStridedViews() {
        SlabLayout one = SlabLayout.of(List.of("w"), List.of(Shape.of(3)));
        int members = 2;
        Slab pop = Slab.zeros(B, DType.F64, one.repeat(members));
        pop.flat().assign(Tensor.random(B, DType.F64, Shape.of(pop.layout().size()), RandomKey.of(2), Op.Dist.NORMAL));
        Slab grads = pop.zerosLike();
        try (Tape t = new Tape()) {
            // [P, 3] view with member stride one.size(), as the population tasks bind it
            Var w = t.param(Tensor.view(B, pop.flat().storage(), Shape.of(members, 3), new int[] {one.size(), 1}, 0));
            Var scale = t.constant(Tensor.of(B, new double[] {1, 10}, 2, 1));
            t.backward(w.square().mul(scale).sumAll()).writeTo(pop, grads);
        }
        double[] p = pop.flat().toDoubleArray(), g = grads.flat().toDoubleArray();
        for (int m = 0; m < members; m++) {
            for (int i = 0; i < 3; i++) {
                int at = m * one.size() + i;
                assertEquals(2 * p[at] * (m == 0 ? 1 : 10), g[at], EXACT);
            }
        }
    }
}
