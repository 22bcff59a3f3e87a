package org.lopt4j.learned.l3rs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
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

/** L3RS's rungs (spec F64 → twin F64 → SIMD F32), narrowing_l3rs.md §7's checks, populations and skipped steps. */
class L3rsTest {
    /** Twin vs spec, both float64: only summation order differs. */
    static final double TWIN_TOL = 1e-10;
    /** SIMD float32 vs the float64 twin, relative to the parameter change. */
    static final double SIMD_REL = 1e-4;

    static final SlabLayout LAYOUT = SlabLayout.of(List.of("a", "b", "c", "d"),
            List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1)));
    static final L3rs LO = new L3rs(4, 16, 1e-2, false, NonFinitePolicy.SKIP_AND_COUNT);
    static final int STEPS = 20;

    static Slab random(Backend b, DType d, SlabLayout l, int seed) {
        Slab s = Slab.zeros(b, d, l);
        for (int i = 0; i < l.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, l.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            s.tensor(i).assign(r.to(d).to(b));
        }
        return s;
    }

    /** A θ whose every layer, the output layer too, is random, so λ and μ vary with the features. */
    static Slab theta(L3rs lo, int seed) {
        Slab t = lo.initTheta(RandomKey.of(seed), ScalarBackend.INSTANCE);
        String last = "mlp/~/linear_2/w";
        Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F32, t.tensor(last).shape(), RandomKey.of(seed + 1), Op.Dist.NORMAL);
        t.tensor(last).assign(r.mul(r.scalar(0.3)));
        return t;
    }

    @Test void twinMatchesSpecAndSimdMatchesTwin() {
        Slab theta = theta(LO, 3);
        Optimizer<L3rs.State> opt = LO.optimizer(theta);
        Backend simd = Backends.named("simd");
        Slab pSpec = random(ScalarBackend.INSTANCE, DType.F64, LAYOUT, 1), pTwin = pSpec.copy(), p0 = pSpec.copy();
        Slab pSimd = random(simd, DType.F32, LAYOUT, 1);
        Slab b = pSpec.zerosLike(), m = pSpec.zerosLike(), v = pSpec.zerosLike();
        double[][] ema = new double[LAYOUT.count()][9];
        L3rs.State sTwin = opt.init(pTwin), sSimd = opt.init(pSimd);
        for (int t = 0; t < 5; t++) {
            double loss = 2.0 - 0.3 * t;
            Slab g64 = random(ScalarBackend.INSTANCE, DType.F64, LAYOUT, 100 + t), g32 = random(simd, DType.F32, LAYOUT, 100 + t);
            L3rsSpec.update(LO, theta, pSpec, g64, b, m, v, ema, t + 1, STEPS, loss);
            sTwin = opt.update(sTwin, pTwin, g64, new StepInfo(t, loss, STEPS));
            sSimd = opt.update(sSimd, pSimd, g32, new StepInfo(t, loss, STEPS));
            double[] spec = pSpec.flat().toDoubleArray(), twin = pTwin.flat().toDoubleArray(), fast = pSimd.flat().toDoubleArray();
            double[] start = p0.flat().toDoubleArray();
            double moved = 0;
            for (int e = 0; e < spec.length; e++) moved = Math.max(moved, Math.abs(spec[e] - start[e]));
            assertTrue(moved > 1e-4, "the parameters move: " + moved);
            for (int e = 0; e < spec.length; e++) {
                assertEquals(spec[e], twin[e], TWIN_TOL, "twin step " + t + " [" + e + "]");
                assertEquals(twin[e], fast[e], SIMD_REL * moved + 2e-7 * Math.abs(twin[e]), "simd step " + t + " [" + e + "]");
            }
        }
        assertEquals(5, sTwin.step());
        assertEquals(5, sSimd.step());
    }

    /**
     * §7: with μ one-hot on Adam and a constant λ (the output layer's weights 0, its biases set), every tensor moves
     * by exactly λ, along its own normalized Adam step (sign(g) at the first step).
     */
    @Test void oneHotAdamIsPerLayerNormalizedAdam() {
        for (Backend be : List.<Backend>of(ScalarBackend.INSTANCE, Backends.named("simd"))) {
            DType d = be == ScalarBackend.INSTANCE ? DType.F64 : DType.F32;
            Slab theta = LO.initTheta(RandomKey.of(5), ScalarBackend.INSTANCE);
            theta.tensor("mlp/~/linear_2/b").assign(Tensor.of(ScalarBackend.INSTANCE, new float[] {0, -40, -40, 40, -40}, 5));
            Optimizer<L3rs.State> opt = LO.optimizer(theta);
            Slab p = random(be, d, LAYOUT, 1), g = random(be, d, LAYOUT, 2);
            Slab before = p.copy();
            L3rs.State s = opt.init(p);
            for (double[] row : s.schedule()) assertArrayEquals(new double[5], row, be.name() + ": nothing applied before the first step");
            s = opt.update(s, p, g, new StepInfo(0, 1.0, STEPS));
            double tol = d == DType.F64 ? 1e-12 : 2e-6;
            for (double[] row : s.schedule()) {                                  // what was applied: λ0, all on Adam
                assertArrayEquals(new double[] {LO.lambda0(), 0, 0, 1, 0}, row, 1e-6, be.name() + ": the schedule it reports");
            }
            for (int t = 0; t < LAYOUT.count(); t++) {
                double[] now = p.tensor(t).toDoubleArray(), was = before.tensor(t).toDoubleArray(), gt = g.tensor(t).toDoubleArray();
                double norm = 0;
                for (int e = 0; e < now.length; e++) norm += (now[e] - was[e]) * (now[e] - was[e]);
                assertEquals(LO.lambda0(), Math.sqrt(norm), LO.lambda0() * tol * 10, be.name() + ": ‖Δθ‖ of tensor " + t);
                double first = Math.sqrt(now.length);                          // Adam's first step is sign(g) (up to 1e-8)
                for (int e = 0; e < now.length; e++) {
                    assertEquals(-LO.lambda0() * Math.signum(gt[e]) / first, now[e] - was[e], LO.lambda0() * 1e-5, be.name() + " [" + t + ", " + e + "]");
                }
            }
            s = opt.update(s, p, g, new StepInfo(1, 1.0, STEPS));
            assertEquals(2, s.step());
        }
    }

    /** §7: a zero direction (a tensor with a zero gradient at the first step) contributes 0, not NaN. */
    @Test void aZeroDirectionContributesNothing() {
        for (Backend be : List.<Backend>of(ScalarBackend.INSTANCE, Backends.named("simd"))) {
            DType d = be == ScalarBackend.INSTANCE ? DType.F64 : DType.F32;
            Optimizer<L3rs.State> opt = LO.optimizer(theta(LO, 7));
            Slab p = random(be, d, LAYOUT, 1), g = random(be, d, LAYOUT, 2);
            g.tensor(1).fill(0);
            double[] was = p.tensor(1).toDoubleArray();
            opt.update(opt.init(p), p, g, new StepInfo(0, 1.0, STEPS));
            double[] now = p.tensor(1).toDoubleArray();
            for (int e = 0; e < now.length; e++) assertEquals(was[e], now[e], 0, be.name() + ": element " + e + " of the zero-gradient tensor");
            for (double x : p.flat().toDoubleArray()) assertTrue(Double.isFinite(x), be.name() + ": " + x);
        }
    }

    @Test void populationMembersStepWithTheirOwnTheta() {
        Slab t0 = theta(LO, 3), t1 = theta(LO, 9);
        Slab pop = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, LO.thetaLayout().repeat(2));
        int n = LO.thetaLayout().size();
        pop.flat().slice(0, 0, n, 1).assign(t0.flat());
        pop.flat().slice(0, n, 2 * n, 1).assign(t1.flat());
        SlabLayout two = LAYOUT.repeat(2);
        Backend simd = Backends.named("simd");
        Slab p = random(simd, DType.F32, two, 1), g = random(simd, DType.F32, two, 2);
        Slab alone0 = random(simd, DType.F32, LAYOUT, 1), g0 = random(simd, DType.F32, LAYOUT, 2);
        p.flat().slice(0, LAYOUT.size(), 2 * LAYOUT.size(), 1).assign(alone0.flat());
        g.flat().slice(0, LAYOUT.size(), 2 * LAYOUT.size(), 1).assign(g0.flat());
        Optimizer<L3rs.State> both = LO.optimizer(pop), one = LO.optimizer(t1);
        both.update(both.init(p), p, g, new StepInfo(0, 0, STEPS, new double[] {1.5, 0.7}, null));
        one.update(one.init(alone0), alone0, g0, new StepInfo(0, 0.7, STEPS));
        double[] second = p.flat().slice(0, LAYOUT.size(), 2 * LAYOUT.size(), 1).toDoubleArray(), alone = alone0.flat().toDoubleArray();
        for (int e = 0; e < alone.length; e++) assertEquals(alone[e], second[e], 0, "member 1 = a lone member with θ1 and loss 0.7 [" + e + "]");
    }

    @Test void nonFiniteGradientsAndLossesSkipTheStep() {
        Optimizer<L3rs.State> opt = LO.optimizer(theta(LO, 3));
        Backend simd = Backends.named("simd");
        Slab p = random(simd, DType.F32, LAYOUT, 1), g = random(simd, DType.F32, LAYOUT, 2);
        L3rs.State s = opt.update(opt.init(p), p, g, new StepInfo(0, 1.0, STEPS));
        double[] was = p.flat().toDoubleArray();
        Slab bad = g.copy();
        bad.flat().slice(0, 3, 4, 1).fill(Double.NaN);
        s = opt.update(s, p, bad, new StepInfo(1, 1.0, STEPS));
        s = opt.update(s, p, g, new StepInfo(2, Double.POSITIVE_INFINITY, STEPS));
        assertEquals(1, s.step());
        assertEquals(2, s.skipped());
        double[] now = p.flat().toDoubleArray();
        for (int e = 0; e < now.length; e++) assertEquals(was[e], now[e], 0, "skipped steps leave θ [" + e + "]");
    }

    @Test void theModelMustHaveItsLayerCount() {
        Optimizer<L3rs.State> opt = new L3rs(3, 16, 1e-3, false, NonFinitePolicy.SKIP_AND_COUNT).optimizer(
                new L3rs(3, 16, 1e-3, false, NonFinitePolicy.SKIP_AND_COUNT).initTheta(RandomKey.of(1), ScalarBackend.INSTANCE));
        Slab p = random(ScalarBackend.INSTANCE, DType.F64, LAYOUT, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> opt.init(p)).getMessage().contains("3 parameter tensors"));
        assertEquals(16 * 16 + 16 + 16 * 16 + 16 + 16 * 5 + 5 + 4 * 4, LO.thetaLayout().paramCount());
    }
}
