package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.fused.SimdFusedOps;

/**
 * Adafactor, which torch 1.13 lacks: the factoring rule, the accumulator layouts, and first updates (ρ = 0) against
 * values computed by hand from the paper's formulas (the F64 spec is the control in {@link FusedMatchesSpecTest}).
 */
class AdafactorTest {
    /** Hand arithmetic in double against kernels in double: rounding only. */
    static final double TOL = 1e-12;

    @Test void factorsBySecondLargestAxisWithTheStableRule() {
        Adafactor a = Adafactor.of(0.1);
        assertNull(a.factoring(Shape.of(256, 64)), "second-largest 64 < 128: unfactored");
        FactoredDims f = a.factoring(Shape.of(256, 128));
        assertNotNull(f);
        assertEquals(0, f.d0());
        assertEquals(1, f.d1());
        FactoredDims tie = a.factoring(Shape.of(128, 128));
        assertEquals(1, tie.d0(), "ties go to the higher axis for d0");
        assertEquals(0, tie.d1());
        FactoredDims conv = new Adafactor(new Schedule.Constant(0.1), 1, 0.8, 0, true, 1, 0, 0, 1e-30, true, NonFinitePolicy.SKIP_AND_COUNT)
                .factoring(Shape.of(16, 16, 3, 3));
        assertEquals(List.of(0, 1), List.of(conv.d1(), conv.d0()), "small_fc_lopt.md: [16,16,3,3] → 0, 1");
        assertNull(a.factoring(Shape.of(4096)), "rank 1 is never factored");
        assertThrows(IllegalArgumentException.class, () -> new Adafactor(new Schedule.Constant(0.1), 128, 0.8, 3, true, 1, 0, 0, 1e-30, true,
                NonFinitePolicy.SKIP_AND_COUNT), "a positive decay offset makes ρ NaN");
    }

    @Test void accumulatorsAreLaidOutFromTheParameterLayout() {
        Slab p = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, SlabLayout.of(List.of("f", "u"), List.of(Shape.of(256, 128), Shape.of(256, 64))));
        Adafactor.State s = Adafactor.of(0.1).init(p);
        assertEquals(List.of(Shape.of(128), Shape.of(0)), s.vRow().layout().shapes(), "v_row: mean over d0 (the 256 axis)");
        assertEquals(List.of(Shape.of(256), Shape.of(0)), s.vCol().layout().shapes(), "v_col: mean over d1");
        assertEquals(List.of(Shape.of(0), Shape.of(256, 64)), s.v().layout().shapes(), "full v only where unfactored");
        assertNull(s.trace(), "no momentum buffer without momentum");
    }

    /** p = [3, 4], g = [0.5, −2]: u = g/sqrt(g² + eps) = sign(g), rms 1 (no clipping), step lr·rms(p)·sign(g). */
    @Test void firstUnfactoredStepByHand() {
        for (Backend b : backends()) {
            Slab p = slab(b, new double[] {3, 4}, 2), g = slab(b, new double[] {0.5, -2}, 2);
            Adafactor a = Adafactor.of(0.1);
            a.update(a.init(p), p, g, StepInfo.NONE);
            double step = 0.1 * Math.sqrt((9 + 16) / 2.0);
            assertArrayEquals(new double[] {3 - step, 4 + step}, p.tensor(0).toDoubleArray(), TOL, b.name());
        }
    }

    /** A [2, 3] tensor factored with min dim 2: d0 = axis 1, d1 = axis 0; every factor written out. */
    @Test void firstFactoredStepByHand() {
        double[][] g = {{1, 2, 3}, {4, 5, 6}}, p = {{0.5, -1, 2}, {1.5, 0.25, -3}};
        double[] vRow = {(1 + 4 + 9) / 3.0, (16 + 25 + 36) / 3.0};                      // mean of g² over d0 = axis 1
        double[] vCol = {(1 + 16) / 2.0, (4 + 25) / 2.0, (9 + 36) / 2.0};               // mean of g² over d1 = axis 0
        double rowMean = (vRow[0] + vRow[1]) / 2;
        double[][] u = new double[2][3];
        double sumU2 = 0, sumP2 = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                u[i][j] = g[i][j] / Math.sqrt(vRow[i] / rowMean) / Math.sqrt(vCol[j]);
                sumU2 += u[i][j] * u[i][j];
                sumP2 += p[i][j] * p[i][j];
            }
        }
        double lr = 0.1, clip = 0.5, scale = lr / Math.max(1, Math.sqrt(sumU2 / 6) / clip) * Math.max(Math.sqrt(sumP2 / 6), 1e-3);
        double wdRate = 0.01;
        double[] want = new double[6];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) want[3 * i + j] = p[i][j] - (u[i][j] * scale + wdRate * p[i][j]);
        for (Backend b : backends()) {
            Adafactor a = new Adafactor(new Schedule.Constant(lr), 2, 0.8, 0, true, clip, 0, wdRate, 1e-30, true, NonFinitePolicy.SKIP_AND_COUNT);
            Slab ps = slab(b, new double[] {0.5, -1, 2, 1.5, 0.25, -3}, 2, 3), gs = slab(b, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Adafactor.State s = a.update(a.init(ps), ps, gs, StepInfo.NONE);
            assertArrayEquals(want, ps.tensor(0).toDoubleArray(), TOL, b.name());
            assertArrayEquals(vRow, s.vRow().tensor(0).toDoubleArray(), TOL, "ρ = 0: v_row is the first row means");
            assertArrayEquals(vCol, s.vCol().tensor(0).toDoubleArray(), TOL);
        }
    }

    /** Chunks of 7 elements split every tensor across parallel parts: same result as one chunk per tensor. */
    @Test void chunksThatSplitTensorsChangeNothing() {
        Adafactor a = OptimizerCases.adafactorFactored();
        List<FusedMatchesSpecTest.Snapshot> want = FusedMatchesSpecTest.run(a, ScalarBackend.INSTANCE, DType.F64);
        for (org.lopt4j.tensor.FusedOps f : FusedMatchesSpecTest.IMPLEMENTATIONS) {
            Backend b = new WithFused(ScalarBackend.INSTANCE, f);
            Optimizer<Adafactor.State> smallChunks = new Optimizer<>() {
                @Override public Adafactor.State init(Slab params) {
                    Adafactor.State s = a.init(params);
                    Adafactor.Plan plan = new Adafactor.Plan(s.plan().factors(), s.plan().rowMeanSize(),
                            org.lopt4j.tensor.FusedOps.Chunks.of(params.layout(), params.backend(), 7));
                    return new Adafactor.State(s.vRow(), s.vCol(), s.v(), s.trace(), plan, 0, 0);
                }

                @Override public Adafactor.State update(Adafactor.State s, Slab p, Slab g, StepInfo info) { return a.update(s, p, g, info); }

                @Override public String name() { return "adafactor-chunk-7"; }
            };
            FusedMatchesSpecTest.assertClose(f.name() + " with 7-element chunks", want, FusedMatchesSpecTest.run(smallChunks, b, DType.F64),
                    FusedMatchesSpecTest.F64_REL, FusedMatchesSpecTest.F64_FLOOR);
        }
    }

    static List<Backend> backends() {
        return List.of(ScalarBackend.INSTANCE, new WithFused(ScalarBackend.INSTANCE, new SimdFusedOps(256)));
    }

    static Slab slab(Backend b, double[] values, int... dims) {
        Slab s = Slab.zeros(b, DType.F64, SlabLayout.of(List.of("t"), List.of(Shape.of(dims))));
        s.tensor(0).assign(Tensor.of(b, values, dims));
        return s;
    }
}
