package org.lopt4j.learned.smallfc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.learned.TimeFeatures;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** small_fc_lopt: the spec's checks (§11), and kernel against the tensor-op spec in F64 and F32. */
class SmallFcLoptTest {
    /** Kernel vs spec, both float64: summation order only. */
    static final double F64_TOL = 1e-10;
    /** F32 kernel vs F64 spec, relative to the parameter change (step_mult 0.1 makes the change visible). */
    static final double F32_REL = 2e-3;

    static final SlabLayout LAYOUT = SlabLayout.of(List.of("a", "b", "c", "d", "e", "s"),
            List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1), Shape.of(1, 32), Shape.SCALAR));
    static final SmallFcLopt LO = new SmallFcLopt(32, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT);

    @Test void sizesDecaysAndTime() {
        assertEquals(197, SmallFcLopt.google().thetaLayout().paramCount());
        assertEquals(2402 + 7, SmallFcLopt.mulo().thetaLayout().paramCount());
        // μLO's fixed offsets give these effective decays (small_fc_lopt.md §1, float32)
        assertEquals(0.5420273f, SmallFcLopt.decay(0.9f, 0.15216392f), 2e-7);
        assertEquals(0.9584414f, SmallFcLopt.decay(0.99f, 0.14245212f), 2e-7);
        assertEquals(0.9980236f, SmallFcLopt.decay(0.999f, 0.06812963f), 2e-7);
        assertEquals(0.9988860f, SmallFcLopt.decay(0.999f, 0.01079706f), 2e-7);
        assertEquals(0.9f, SmallFcLopt.decay(0.9f, 0f), 1e-7);
        for (float x : TimeFeatures.of(0)) assertEquals(-0.7615942f, x, 1e-7);
        float[] t10 = TimeFeatures.of(10);
        assertEquals(0.99999994f, t10[0], 1e-7);
        assertEquals(0.98136806f, t10[1], 1e-7);
        assertEquals(0f, t10[2], 1e-7);
        assertEquals(-0.58278290f, t10[3], 1e-7);
    }

    @Test void factoredDimsTable() {
        int[][][] table = {{{64, 32}, {1, 0}}, {{32, 16}, {1, 0}}, {{8, 8}, {0, 1}}, {{3, 3, 32, 64}, {2, 3}}, {{8, 3, 3, 3}, {3, 0}},
                {{4, 6, 6}, {1, 2}}, {{16, 16, 3, 3}, {0, 1}}, {{3, 3, 5, 5}, {2, 3}}, {{1, 32}, {0, 1}}};
        for (int[][] row : table) {
            FactoredDims f = FactoredDims.of(Shape.of(row[0]));
            assertArrayEquals(row[1], new int[] {f.d1(), f.d0()}, java.util.Arrays.toString(row[0]));
        }
        assertNull(FactoredDims.of(Shape.of(16)));
    }

    static Slab random(Backend b, DType d, int seed) {
        Slab s = Slab.zeros(b, d, LAYOUT);
        for (int i = 0; i < LAYOUT.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, LAYOUT.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            double scale = i == 1 ? 1e-3 : (seed >= 100 && i == 0 ? 30 : 1);            // tiny gradients; an outlier-ish tensor
            s.tensor(i).assign(r.mul(r.scalar(scale)).to(d).to(b));
        }
        return s;
    }

    @Test void kernelMatchesSpec() { matchesSpec(UpdateOptions.NONE); }

    /**
     * PyLO's options on the same tensors: lr 0.5, weight decay 0.1 and a gradient norm limit of 20 that clips the
     * large-gradient tensor (norm ≈ 30·√512) and the unit-normal ones above 20 elements, and leaves the tiny ones.
     */
    @Test void kernelMatchesSpecWithPyloOptions() { matchesSpec(new UpdateOptions(0.5, 0.1, 20)); }

    static void matchesSpec(UpdateOptions o) {
        Slab theta = LO.initTheta(RandomKey.of(7), ScalarBackend.INSTANCE);
        // non-zero decay offsets so the reparameterization is exercised
        theta.tensor("momentum_decays").assign(Tensor.of(ScalarBackend.INSTANCE, new float[] {0.15f, 0.14f, 0.07f}, 3));
        Optimizer<SmallFcLopt.State> opt = LO.optimizer(theta, o);
        for (DType d : new DType[] {DType.F64, DType.F32}) {
            Backend b = d == DType.F64 ? ScalarBackend.INSTANCE : Backends.best();
            Slab pSpec = random(ScalarBackend.INSTANCE, DType.F64, 1), p = random(b, d, 1), start = pSpec.copy();
            SmallFcLopt.State sSpec = opt.init(pSpec), s = opt.init(p);
            for (int t = 0; t < 5; t++) {
                Slab gSpec = random(ScalarBackend.INSTANCE, DType.F64, 100 + t), g = random(b, d, 100 + t);
                for (int i = 0; i < LAYOUT.count(); i++) {
                    Tensor[] m = new Tensor[3], r = new Tensor[3], c = new Tensor[3];
                    for (int k = 0; k < 3; k++) {
                        m[k] = sSpec.acc().m(k).tensor(i);
                        r[k] = sSpec.acc().r(k).tensor(i);
                        c[k] = sSpec.acc().c(k).tensor(i);
                    }
                    SmallFcLoptSpec.update(LO, o, theta, pSpec.tensor(i), gSpec.tensor(i), m, sSpec.acc().v().tensor(i), r, c, t);
                }
                s = opt.update(s, p, g, StepInfo.NONE);
                double[] want = pSpec.flat().toDoubleArray(), got = p.flat().toDoubleArray(), p0 = start.flat().toDoubleArray();
                for (int e = 0; e < want.length; e++) {
                    double tol = d == DType.F64 ? F64_TOL : F32_REL * Math.max(Math.abs(want[e] - p0[e]), 1e-2) + 1e-6 * Math.abs(want[e]);
                    assertEquals(want[e], got[e], tol, o + " " + d + " step " + t + " [" + e + "]");
                }
            }
        }
    }

    @Test void nonFiniteGradientsAreSkipped() {
        Slab p = random(Backends.best(), DType.F32, 1), g = random(Backends.best(), DType.F32, 2);
        g.tensor(2).slice(0, 1, 2, 1).fill(Double.POSITIVE_INFINITY);
        float[] before = p.flat().toFloatArray();
        Optimizer<SmallFcLopt.State> o = SmallFcLopt.google().optimizer(SmallFcLopt.google().initTheta(RandomKey.of(1), Backends.best()));
        SmallFcLopt.State s = o.update(o.init(p), p, g, StepInfo.NONE);
        assertArrayEquals(before, p.flat().toFloatArray());
        assertEquals(1, s.skipped());
    }

    /**
     * A population of two members whose episodes restarted at different times (own θ, own iteration count) stepped
     * in one fused call equals each member stepped alone with the state counter at that count, in F64 and F32.
     */
    @Test void populationWithMemberSteps() {
        int[] counts = {0, 37};
        for (DType d : new DType[] {DType.F64, DType.F32}) {
            Backend b = d == DType.F64 ? ScalarBackend.INSTANCE : Backends.best();
            Slab thetas = Slab.zeros(b, DType.F32, LO.thetaLayout().repeat(2));
            for (int m = 0; m < 2; m++) thetas.flat().slice(0, m * LO.thetaLayout().size(), (m + 1) * LO.thetaLayout().size(), 1)
                    .assign(LO.initTheta(RandomKey.of(20 + m), b).flat());
            Slab pop = Slab.zeros(b, d, LAYOUT.repeat(2)), gpop = Slab.zeros(b, d, LAYOUT.repeat(2));
            Slab[] alone = new Slab[2];
            for (int m = 0; m < 2; m++) {
                alone[m] = random(b, d, 1 + m);
                pop.flat().slice(0, m * LAYOUT.size(), (m + 1) * LAYOUT.size(), 1).assign(alone[m].flat());
                gpop.flat().slice(0, m * LAYOUT.size(), (m + 1) * LAYOUT.size(), 1).assign(random(b, d, 100 + m).flat());
            }
            Optimizer<SmallFcLopt.State> popOpt = LO.optimizer(thetas);
            popOpt.update(popOpt.init(pop), pop, gpop, new StepInfo(0, Double.NaN, 100, null, counts));
            for (int m = 0; m < 2; m++) {
                Slab th = Slab.zeros(b, DType.F32, LO.thetaLayout());
                th.flat().assign(thetas.flat().slice(0, m * LO.thetaLayout().size(), (m + 1) * LO.thetaLayout().size(), 1));
                Optimizer<SmallFcLopt.State> one = LO.optimizer(th);
                SmallFcLopt.State st = one.init(alone[m]);                    // the member's own update count
                one.update(st, alone[m], random(b, d, 100 + m), new StepInfo(0, Double.NaN, 100, null, new int[] {counts[m]}));
                double[] got = pop.flat().slice(0, m * LAYOUT.size(), (m + 1) * LAYOUT.size(), 1).toDoubleArray();
                assertArrayEquals(alone[m].flat().toDoubleArray(), got, 0, d + " member " + m);
            }
        }
    }
}
