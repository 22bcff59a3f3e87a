package org.lopt4j.learned.celo2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.Schedule;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** celo2.md §4's checks on Newton–Schulz, the learning-rate schedule, and populations of θ. */
class Celo2Test {
    static double[] rotation() {
        double a = 0.7, b = -0.4;
        double[][] rx = {{1, 0, 0}, {0, Math.cos(a), -Math.sin(a)}, {0, Math.sin(a), Math.cos(a)}};
        double[][] rz = {{Math.cos(b), -Math.sin(b), 0}, {Math.sin(b), Math.cos(b), 0}, {0, 0, 1}};
        double[] q = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) q[i * 3 + j] += rx[i][k] * rz[k][j];
        return q;
    }

    @Test void newtonSchulzKeepsAnOrthogonalMatrixOrthogonal() {
        double[] q = rotation(), x = q.clone();
        NewtonSchulz.orthogonalize(x, 0, 3, 3);
        double s = x[0] / q[0];
        for (int i = 0; i < 9; i++) assertEquals(s * q[i], x[i], 1e-9, "the same multiple of Q everywhere");
        assertTrue(s > 0.6 && s < 1.3, "scale " + s);
    }

    /** Singular values of the quintic's output lie near 1 (about 0.7 … 1.2), for wide and tall matrices alike. */
    @Test void newtonSchulzOrthogonalizesWideAndTallMatrices() {
        for (int[] rc : new int[][] {{4, 6}, {6, 4}}) {
            int r = rc[0], c = rc[1];
            double[] x = Tensor.random(ScalarBackend.INSTANCE, DType.F64, Shape.of(r * c), RandomKey.of(r), Op.Dist.NORMAL).toDoubleArray();
            NewtonSchulz.orthogonalize(x, 0, r, c);
            int k = Math.min(r, c);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int e = 0; e < Math.max(r, c); e++) s += r < c ? x[i * c + e] * x[j * c + e] : x[e * c + i] * x[e * c + j];
                    assertEquals(i == j ? 1 : 0, s, 0.6, r + "x" + c + " Gram entry " + i + "," + j);
                }
            }
        }
    }

    static Slab params(int members, int seed) {
        List<String> names = new java.util.ArrayList<>();
        List<Shape> shapes = new java.util.ArrayList<>();
        for (int m = 0; m < members; m++) {
            names.add("m" + m + "/w");
            shapes.add(Shape.of(8, 6));
            names.add("m" + m + "/b");
            shapes.add(Shape.of(6));
        }
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, SlabLayout.of(names, shapes));
        s.flat().assign(Tensor.random(ScalarBackend.INSTANCE, DType.F32, Shape.of(s.layout().size()), RandomKey.of(seed), Op.Dist.NORMAL));
        return s;
    }

    @Test void aWarmupScheduleStartsAtZero() {
        Celo2 c = Celo2.celo2();
        Optimizer<Celo2.State> o = c.optimizer(c.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE), UpdateOptions.NONE, new Schedule.LinearWarmup(0.01, 2));
        Slab p = params(1, 3), start = p.copy();
        Celo2.State s = o.init(p);
        s = o.update(s, p, params(1, 4), new StepInfo(0, 1, 10));
        assertArrayEquals(start.flat().toDoubleArray(), p.flat().toDoubleArray(), 0, "lr 0 at step 0");
        o.update(s, p, params(1, 5), new StepInfo(1, 1, 10));
        assertNotEquals(0, maxDiff(start, p), "lr 0.005 at step 1 moves the parameters");
    }

    static double maxDiff(Slab a, Slab b) {
        double[] x = a.flat().toDoubleArray(), y = b.flat().toDoubleArray();
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }

    /** Two members with their own θ stepped in one call equal each stepped alone (the global clip is per member). */
    @Test void populationMembersStepAsAlone() {
        for (Celo2 c : List.of(Celo2.celo2(), Celo2.eloCelo2())) {
            Slab t0 = c.initTheta(RandomKey.of(7), ScalarBackend.INSTANCE), t1 = c.initTheta(RandomKey.of(8), ScalarBackend.INSTANCE);
            Slab pop = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, c.thetaLayout().repeat(2));
            int size = c.thetaLayout().size();
            pop.flat().slice(0, 0, size, 1).assign(t0.flat());
            pop.flat().slice(0, size, 2 * size, 1).assign(t1.flat());
            Slab both = params(2, 1);
            Optimizer<Celo2.State> o = c.optimizer(pop);
            Celo2.State s = o.init(both);
            for (int step = 0; step < 3; step++) s = o.update(s, both, params(2, 10 + step), StepInfo.NONE);
            for (int m = 0; m < 2; m++) {
                Slab alone = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, SlabLayout.of(List.of("w", "b"), List.of(Shape.of(8, 6), Shape.of(6))));
                int from = both.layout().offset(2 * m), len = alone.layout().size();
                alone.flat().assign(params(2, 1).flat().slice(0, from, from + len, 1));
                Optimizer<Celo2.State> oa = c.optimizer(m == 0 ? t0 : t1);
                Celo2.State sa = oa.init(alone);
                for (int step = 0; step < 3; step++) {
                    Slab g = alone.zerosLike();
                    g.flat().assign(params(2, 10 + step).flat().slice(0, from, from + len, 1));
                    sa = oa.update(sa, alone, g, StepInfo.NONE);
                }
                assertArrayEquals(alone.flat().toDoubleArray(), both.flat().slice(0, from, from + len, 1).toDoubleArray(), 0, c.name() + " member " + m);
            }
        }
    }
}
