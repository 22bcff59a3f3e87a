package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** The gradient wrappers' semantics on small slabs, by hand, on every fused implementation (F64). */
class GradientWrapperTest {
    /** Hand arithmetic against kernels, both double. */
    static final double TOL = 1e-14;
    static final NonFinitePolicy SKIP = NonFinitePolicy.SKIP_AND_COUNT;

    static Slab slab(Backend b, double... v) {
        Slab s = Slab.zeros(b, DType.F64, SlabLayout.of(List.of("a", "b"), List.of(Shape.of(2), Shape.of(v.length - 2))));
        s.tensor(0).assign(Tensor.of(b, new double[] {v[0], v[1]}, 2));
        s.tensor(1).assign(Tensor.of(b, java.util.Arrays.copyOfRange(v, 2, v.length), v.length - 2));
        return s;
    }

    static double[] values(Slab s) {
        double[] a = s.tensor(0).toDoubleArray(), c = s.tensor(1).toDoubleArray(), out = new double[a.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }

    @Test void weightDecayThenClipByValueThenByGlobalNorm() {
        for (FusedOps f : FusedMatchesSpecTest.IMPLEMENTATIONS) {
            Backend b = new WithFused(ScalarBackend.INSTANCE, f);
            Slab p = slab(b, 1, -2, 3), g = slab(b, 0.5, 4, -1);
            GradientWrapper<Sgd.State> w = new GradientWrapper<>(Sgd.of(1), 0.5, 3, 2, 1, SKIP);
            w.update(w.init(p), p, g, StepInfo.NONE);
            // g + 0.5·p = [1, 3, 0.5]; clip to ±3: unchanged; ‖g‖ = sqrt(10.25) > 2: scaled by 2/‖g‖
            double n = Math.sqrt(1 + 9 + 0.25), s = 2 / n;
            assertArrayEquals(new double[] {1 - s, -2 - 3 * s, 3 - 0.5 * s}, values(p), TOL, f.name());
            Slab q = slab(b, 0, 0, 0), h = slab(b, 5, -7, 0.25);
            GradientWrapper<Sgd.State> byValue = new GradientWrapper<>(Sgd.of(1), 0, 1, 0, 1, SKIP);
            byValue.update(byValue.init(q), q, h, StepInfo.NONE);
            assertArrayEquals(new double[] {-1, 1, -0.25}, values(q), TOL, "clipped to ±1 by value on " + f.name());
        }
    }

    @Test void accumulationStepsOnceOnTheMeanOfKGradients() {
        for (FusedOps f : FusedMatchesSpecTest.IMPLEMENTATIONS) {
            Backend b = new WithFused(ScalarBackend.INSTANCE, f);
            Adam adam = Adam.lo(0.1);
            GradientWrapper<Adam.State> acc = new GradientWrapper<>(adam, 0, 0, 0, 3, SKIP);
            Slab p = slab(b, 1, 2, 3), direct = slab(b, 1, 2, 3);
            GradientWrapper.State<Adam.State> s = acc.init(p);
            double[][] gs = {{1, -1, 2}, {3, 0.5, -2}, {-1, 4, 6}};
            for (int k = 0; k < 3; k++) {
                s = acc.update(s, p, slab(b, gs[k]), new StepInfo(k, Double.NaN, 9));
                assertEquals(k + 1, s.step(), "micro-steps counted");
                assertEquals(k < 2 ? 0 : 1, s.inner().step(), "the inner optimizer steps once per 3 calls");
                if (k < 2) assertArrayEquals(new double[] {1, 2, 3}, values(p), 0, "parameters wait for the third gradient");
            }
            assertArrayEquals(new double[3], values(s.acc()), 0, "accumulator emptied after the update");
            Slab mean = slab(b, 1, 3.5 / 3, 2);
            adam.update(adam.init(direct), direct, mean, StepInfo.NONE);
            assertArrayEquals(values(direct), values(p), TOL, f.name());
        }
    }
}
