package org.lopt4j.learned.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
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

/** MLPLOpt's three rungs: tensor-op spec (F64) → plain-loop twin (F64) → fused SIMD pass (F32), and populations. */
class MlpLoptTest {
    /** Twin vs spec, both float64: only summation order differs. */
    static final double TWIN_TOL = 1e-10;
    /** Fused float32 vs float64 spec, relative to the size of the parameter change (step_mult 0.1 makes it visible). */
    static final double FUSED_REL = 2e-4;

    static final SlabLayout LAYOUT = SlabLayout.of(List.of("a", "b", "c", "d"),
            List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1)));
    static final MlpLopt LO = new MlpLopt(new int[] {32, 32}, 0.5, 0.1, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);

    static Slab random(Backend b, DType d, SlabLayout l, int seed) {
        Slab s = Slab.zeros(b, d, l);
        for (int i = 0; i < l.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, l.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(i == 1 ? 1e-3 : 1)).to(d).to(b));   // a tensor of tiny gradients too
        }
        return s;
    }

    @Test void thetaLayoutHasTheSpecSize() {
        assertEquals(1762, MlpLopt.defaults().thetaLayout().paramCount());
        assertEquals(19, MlpLopt.INPUTS);
    }

    @Test void twinMatchesSpecAndFusedMatchesTwin() {
        Slab theta = LO.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE);
        Optimizer<MlpLopt.State> opt = LO.optimizer(theta);
        Backend fast = Backends.best();
        Slab pSpec = random(ScalarBackend.INSTANCE, DType.F64, LAYOUT, 1), pTwin = pSpec.copy();
        Slab pFused = random(fast, DType.F32, LAYOUT, 1);
        Slab p0 = pSpec.copy();
        MlpLopt.State sTwin = opt.init(pTwin), sFused = opt.init(pFused), sSpec = opt.init(pSpec);
        for (int t = 0; t < 5; t++) {
            Slab g64 = random(ScalarBackend.INSTANCE, DType.F64, LAYOUT, 100 + t), g32 = random(fast, DType.F32, LAYOUT, 100 + t);
            for (int i = 0; i < LAYOUT.count(); i++) {
                Tensor[] m = new Tensor[6];
                for (int k = 0; k < 6; k++) m[k] = sSpec.buffers().get("m" + k).tensor(i);
                MlpLoptSpec.update(LO, theta, pSpec.tensor(i), g64.tensor(i), m, t);
            }
            sSpec = sSpec.applied();
            sTwin = opt.update(sTwin, pTwin, g64, StepInfo.NONE);             // F64 on the scalar backend: the twin
            sFused = opt.update(sFused, pFused, g32, StepInfo.NONE);
            double[] spec = pSpec.flat().toDoubleArray(), twin = pTwin.flat().toDoubleArray(), fused = pFused.flat().toDoubleArray();
            double[] start = p0.flat().toDoubleArray();
            for (int e = 0; e < spec.length; e++) {
                assertEquals(spec[e], twin[e], TWIN_TOL, "twin step " + t + " [" + e + "]");
                double moved = Math.abs(spec[e] - start[e]);
                assertEquals(spec[e], fused[e], FUSED_REL * Math.max(moved, 1e-3) + 1e-6 * Math.abs(spec[e]), "fused step " + t + " [" + e + "]");
            }
        }
    }

    @Test void zeroWeightsGiveZeroUpdates() {
        Slab theta = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, LO.thetaLayout());
        Slab p = random(Backends.best(), DType.F32, LAYOUT, 1), g = random(Backends.best(), DType.F32, LAYOUT, 2);
        float[] before = p.flat().toFloatArray();
        Optimizer<MlpLopt.State> o = LO.optimizer(theta);
        o.update(o.init(p), p, g, StepInfo.NONE);
        assertArrayEquals(before, p.flat().toFloatArray());
    }

    /** One fused step over a population slab with each member's own θ equals each member stepped alone. */
    @Test void populationAppliesEachMembersTheta() {
        Backend b = Backends.best();
        int members = 3;
        Slab thetas = Slab.zeros(b, DType.F32, LO.thetaLayout().repeat(members));
        for (int m = 0; m < members; m++) {
            int sz = LO.thetaLayout().size();
            thetas.flat().slice(0, m * sz, (m + 1) * sz, 1).assign(LO.initTheta(RandomKey.of(10 + m), b).flat());
        }
        SlabLayout pop = LAYOUT.repeat(members);
        Slab p = random(b, DType.F32, pop, 4), g = random(b, DType.F32, pop, 5);
        Slab pAlone = p.copy();
        Optimizer<MlpLopt.State> po = LO.optimizer(thetas);
        po.update(po.init(p), p, g, StepInfo.NONE);
        for (int m = 0; m < members; m++) {
            int sz = LAYOUT.size();
            Slab pm = Slab.zeros(b, DType.F32, LAYOUT), gm = pm.zerosLike();
            pm.flat().assign(pAlone.flat().slice(0, m * sz, (m + 1) * sz, 1));
            gm.flat().assign(g.flat().slice(0, m * sz, (m + 1) * sz, 1));
            Optimizer<MlpLopt.State> one = LO.optimizer(LO.initTheta(RandomKey.of(10 + m), b));
            one.update(one.init(pm), pm, gm, StepInfo.NONE);
            assertArrayEquals(pm.flat().toFloatArray(), p.flat().slice(0, m * sz, (m + 1) * sz, 1).toFloatArray(), "member " + m);
        }
    }

    @Test void nonFiniteGradientsNeverReachParameters() {
        Slab p = random(Backends.best(), DType.F32, LAYOUT, 1), g = random(Backends.best(), DType.F32, LAYOUT, 2);
        g.tensor(0).slice(0, 3, 4, 1).fill(Double.NaN);
        float[] before = p.flat().toFloatArray();
        Optimizer<MlpLopt.State> o = MlpLopt.defaults().optimizer(MlpLopt.defaults().initTheta(RandomKey.of(1), Backends.best()));
        MlpLopt.State s = o.update(o.init(p), p, g, StepInfo.NONE);
        assertArrayEquals(before, p.flat().toFloatArray());
        assertEquals(1, s.skipped());
    }

    /**
     * The TensorLike update (what truncated backprop differentiates) equals the F64 plain-loop twin for a population of
     * two members with one θ and different update counts, one tensor at a time as [P, n].
     */
    @Test void tensorLikeUpdateMatchesTwin() {
        Backend b = ScalarBackend.INSTANCE;
        Slab theta = LO.initTheta(RandomKey.of(3), b);
        int[] steps = {0, 7};
        java.util.Map<String, Tensor> th = new java.util.LinkedHashMap<>();
        for (int i = 0; i < theta.layout().count(); i++) th.put(theta.layout().names().get(i), theta.tensor(i).to(DType.F64));
        SlabLayout pop = LAYOUT.repeat(2);
        Slab p = random(b, DType.F64, pop, 1), g = random(b, DType.F64, pop, 2), start = p.copy();
        Slab[] m = new Slab[MlpLopt.DECAYS.length];
        for (int k = 0; k < m.length; k++) m[k] = random(b, DType.F64, pop, 10 + k);
        Slab[] m0 = new Slab[m.length];
        for (int k = 0; k < m.length; k++) m0[k] = m[k].copy();
        Slab both = Slab.zeros(b, DType.F32, LO.thetaLayout().repeat(2));
        for (int q = 0; q < 2; q++) both.flat().slice(0, q * theta.layout().size(), (q + 1) * theta.layout().size(), 1).assign(theta.flat());
        Optimizer<MlpLopt.State> twin = LO.optimizer(both);
        MlpLopt.State ts = twin.init(p);
        Slab[] tm = {ts.m0(), ts.m1(), ts.m2(), ts.m3(), ts.m4(), ts.m5()};
        for (int k = 0; k < m.length; k++) tm[k].flat().assign(m[k].flat());
        twin.update(ts, p, g, new StepInfo(0, Double.NaN, 0, null, steps));     // F64 on the scalar backend: the twin
        m = tm;
        for (int i = 0; i < LAYOUT.count(); i++) {
            int n = Math.max(1, LAYOUT.numel(i));
            Tensor pi = stacked(start, i, n), gi = stacked(g, i, n);
            List<Tensor> st = new java.util.ArrayList<>();
            for (Slab mk : m0) st.add(stacked(mk, i, n));
            List<Tensor> out = LO.update(th, pi, gi, st, steps);
            assertArrayEquals(stacked(p, i, n).toDoubleArray(), out.get(0).toDoubleArray(), TWIN_TOL, "tensor " + i);
            for (int k = 0; k < m.length; k++) assertArrayEquals(stacked(m[k], i, n).toDoubleArray(), out.get(1 + k).toDoubleArray(), TWIN_TOL);
        }
    }

    /** Tensor i of both members of a two-member population slab as [2, n]. */
    static Tensor stacked(Slab s, int i, int n) {
        Tensor a = s.tensor(i).reshape(1, n), c = s.tensor(LAYOUT.count() + i).reshape(1, n);
        return a.cat(0, List.of(c));
    }
}
