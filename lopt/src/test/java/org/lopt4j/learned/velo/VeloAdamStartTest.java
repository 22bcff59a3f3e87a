package org.lopt4j.learned.velo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** The Adam start of VeLO: three updates against Adam's direction with a relative step, written out here in float64. */
class VeloAdamStartTest {
    static final Velo VELO_SMALL = new Velo(32, 8, NonFinitePolicy.ZERO_NONFINITE);
    static final double STEP = 6;
    /** VeLO's decays are the float32 constants (velo.md §1). */
    static final double B1 = 0.9f, B2 = 0.999f;
    /** Each of the MLP's three layers is 100 · 0.1f (a float32 control) · 0.1f (a float32 bank weight), so o = that³ · x. */
    static final double MIX = Math.pow(100 * (double) 0.1f * (double) 0.1f, 3);

    @Test void withoutNoiseItStepsAlongAdamsDirectionScaledByTheTensorsRms() {
        // F32 on the fast path; F64 parameters run the scalar twin.
        check(Backends.best(), DType.F32, 2e-7);
        check(ScalarBackend.INSTANCE, DType.F64, 1e-12);
    }

    static void check(Backend b, DType dtype, double tolerance) {
        SlabLayout l = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(5, 7), Shape.of(7)));
        Slab p = Slab.zeros(b, dtype, l), g = p.zerosLike();
        double[][] ps = new double[l.count()][], ms = new double[l.count()][], vs = new double[l.count()][];
        for (int i = 0; i < l.count(); i++) {
            int n = l.shape(i).numel();
            ps[i] = new double[n];
            for (int e = 0; e < n; e++) ps[i][e] = Math.sin(1.3 * e + i) * (i == 0 ? 0.4 : 0.05);
            p.tensor(i).assign(Tensor.of(b, ps[i], l.shape(i).dims()).to(dtype));
            ps[i] = p.tensor(i).toDoubleArray(); // the values as stored
            ms[i] = new double[n];
            vs[i] = new double[n];
        }
        @SuppressWarnings("unchecked")
        Optimizer<Velo.State> o = (Optimizer<Velo.State>) VELO_SMALL.optimizer(VeloAdamStart.theta(VELO_SMALL, STEP, 0, RandomKey.of(3), b));
        Velo.State s = o.init(p);
        for (int t = 0; t < 3; t++) {
            double[][] gs = new double[l.count()][];
            for (int i = 0; i < l.count(); i++) {
                int n = l.shape(i).numel();
                gs[i] = new double[n];
                for (int e = 0; e < n; e++) gs[i][e] = Math.cos(0.7 * e * (t + 1) + i) * (t + 1) * 0.1;
                g.tensor(i).assign(Tensor.of(b, gs[i], l.shape(i).dims()).to(dtype));
                gs[i] = g.tensor(i).toDoubleArray();
            }
            s = o.update(s, p, g, new StepInfo(2.3 - 0.1 * t, 100));
            for (int i = 0; i < l.count(); i++) {
                int n = ps[i].length;
                double[] dir = new double[n];
                double sumSq = 0, pSq = 0;
                for (int e = 0; e < n; e++) {
                    ms[i][e] = B1 * ms[i][e] + (1 - B1) * gs[i][e];
                    vs[i][e] = B2 * vs[i][e] + (1 - B2) * gs[i][e] * gs[i][e];
                    dir[e] = ms[i][e] / Math.sqrt(vs[i][e] + 1e-6);
                    sumSq += dir[e] * dir[e];
                    pSq += ps[i][e] * ps[i][e];
                }
                double norm = 1 / Math.sqrt(1e-5 + sumSq / n), scale = Math.sqrt(pSq / n + 1e-9);
                double[] got = p.tensor(i).toDoubleArray();
                for (int e = 0; e < n; e++) {
                    ps[i][e] -= STEP * 0.001 * scale * dir[e] * norm * MIX;
                    assertEquals(ps[i][e], got[e], tolerance, b.name() + " step " + t + " tensor " + l.names().get(i) + " [" + e + "]");
                }
                ps[i] = got;
            }
        }
    }

    @Test void noiseBreaksTheSymmetryOfTheBank() {
        Slab theta = VeloAdamStart.theta(VELO_SMALL, STEP, 0.01, RandomKey.of(3), ScalarBackend.INSTANCE);
        float[] w = theta.tensor("ff_mod_stack/~/w0__5").toFloatArray();
        int member = w.length / VELO_SMALL.paramInits();
        assertEquals(0.1, w[0], 0.01);
        assertEquals(-0.1, w[1], 0.01);
        assertNotEquals(w[0], w[member], "bank members 0 and 1 are identical");
        assertEquals((float) STEP, theta.tensor("rnn_params/step_size/b").toFloatArray()[0]);
    }

    @Test void refusesAStepOrNoiseOutOfRange() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
            assertThrows(IllegalArgumentException.class, () -> VeloAdamStart.theta(VELO_SMALL, bad, 0, RandomKey.of(0), ScalarBackend.INSTANCE));
        assertThrows(IllegalArgumentException.class, () -> VeloAdamStart.theta(VELO_SMALL, 1, -0.1, RandomKey.of(0), ScalarBackend.INSTANCE));
    }
}
