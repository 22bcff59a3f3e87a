package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** lhopt.md §9's checks on CIAO. */
class CiaoTest {
    static final SlabLayout L = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(6, 5), Shape.of(5)));

    static Slab random(int seed, double scale) {
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, L);
        for (int i = 0; i < L.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, L.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            s.tensor(i).assign(r.mul(r.scalar(scale)));
        }
        return s;
    }

    static Ciao plain(double ombeta1, boolean inf, double clip, double lambPower) {
        return new Ciao(1e-2, ombeta1, 1e-3, 1e-8, 0.1, clip, 1e-2, inf, false, lambPower, 1e-3, Double.POSITIVE_INFINITY, true, 0.05);
    }

    @Test void withoutItsExtrasItIsAdamW() {
        Ciao ciao = plain(0.1, false, 0, 0);
        AdamW adamw = AdamW.of(1e-2, 0.1);
        Slab a = random(1, 1), b = a.copy();
        Ciao.State cs = ciao.init(a);
        Adam.State as = adamw.init(b);
        for (int t = 0; t < 6; t++) {
            cs = ciao.update(cs, a, random(10 + t, 1), StepInfo.NONE);
            as = adamw.update(as, b, random(10 + t, 1), StepInfo.NONE);
        }
        assertArrayEquals(b.flat().toDoubleArray(), a.flat().toDoubleArray(), 1e-12);
        assertTrue(maxDiff(a, random(1, 1)) > 0.05, "six steps moved the parameters");
    }

    static double maxDiff(Slab x, Slab y) {
        double[] a = x.flat().toDoubleArray(), b = y.flat().toDoubleArray();
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test void theInfDenominatorIsADecayedRunningMaxWithoutCorrection() {
        Ciao ciao = plain(0.1, true, 0, 0);
        Slab p = random(2, 1);
        Ciao.State s = ciao.init(p);
        double[] g1 = random(20, 1).flat().toDoubleArray(), g2 = random(21, 0.1).flat().toDoubleArray();
        s = ciao.update(s, p, random(20, 1), StepInfo.NONE);
        s = ciao.update(s, p, random(21, 0.1), StepInfo.NONE);
        double[] v = s.v().flat().toDoubleArray();
        for (int i = 0; i < v.length; i++) assertEquals(Math.max(0.999 * Math.abs(g1[i]), Math.abs(g2[i])), v[i], 1e-15);
    }

    /** With β1 = 0, m is the clipped gradient: a huge one sets the rolling maximum, and later ones are clipped against 0.8·βc·R. */
    @Test void theClipFollowsTheRollingMaximumOfTheNorm() {
        Ciao ciao = plain(1.0, true, 0.8, 0);
        Slab p = random(3, 1);
        Ciao.State s = ciao.init(p);
        Slab big = random(30, 1);
        double n1 = norm(big);
        s = ciao.update(s, p, big, StepInfo.NONE);
        assertTrue(s.didClip());
        assertEquals(0.8 * n1, norm(s.m()), 1e-6 * n1, "the first step clips to 0.8 of its own norm");
        Slab mid = random(31, 1);
        double n2 = norm(mid), scale = 0.9 * n1 / n2;
        Slab g = random(31, scale);                                         // norm 0.9·n1: above 0.8·0.99·n1
        s = ciao.update(s, p, g, StepInfo.NONE);
        assertTrue(s.didClip());
        assertEquals(0.8 * 0.99 * n1, norm(s.m()), 1e-6 * n1);
        s = ciao.update(s, p, random(32, 0.01), StepInfo.NONE);             // small: not clipped
        assertFalse(s.didClip());
        assertEquals(0.99 * 0.99 * n1, s.rollingMax(), 1e-9 * n1);
    }

    static double norm(Slab s) {
        double q = 0;
        for (double x : s.flat().toDoubleArray()) q += x * x;
        return Math.sqrt(q);
    }

    /** LAMB's first step moves a matrix by lr·‖p‖ (trust ratio ‖p‖/‖u‖, no decay); a vector is not scaled. */
    @Test void lambScalesMatricesByTheirTrustRatio() {
        Ciao ciao = new Ciao(1e-2, 0.1, 1e-3, 1e-8, 0, 0, 1e-2, true, true, 1, 1e-3, Double.POSITIVE_INFINITY, true, 0.05);
        Slab p = random(4, 3), start = p.copy(), g = random(40, 1);
        ciao.update(ciao.init(p), p, g, StepInfo.NONE);
        double moved = norm(diff(p, start, 0)), pn = norm(start.tensor(0));
        assertEquals(1e-2 * pn, moved, 1e-9, "‖Δw‖ = lr·‖w‖");
        // the vector: u = m/(v + eps)/bc1 = g/(|g| + eps) ≈ sign(g), moved by lr
        double[] dv = diff(p, start, 1).toDoubleArray();
        for (double x : dv) assertEquals(1e-2, Math.abs(x), 1e-8);
    }

    static Tensor diff(Slab a, Slab b, int t) { return a.tensor(t).sub(b.tensor(t)); }

    static double norm(Tensor t) {
        double q = 0;
        for (double x : t.toDoubleArray()) q += x * x;
        return Math.sqrt(q);
    }

    /** The 13 features of a hand-computed first step: one 2-vector, p = (1, −2), g = (0.5, 0.5), no clip. */
    @Test void featuresOfAHandComputedStep() {
        Ciao ciao = new Ciao(1e-2, 0.1, 1e-3, 1e-6, 0.1, 0, 1e-2, true, true, 1, 1e-3, Double.POSITIVE_INFINITY, true, 0.05);
        SlabLayout l = SlabLayout.of(List.of("v"), List.of(Shape.of(2)));
        Slab p = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, l), g = p.zerosLike();
        p.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, new double[] {1, -2}, 2));
        g.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, new double[] {0.5, 0.5}, 2));
        Ciao.State s = ciao.update(ciao.init(p), p, g, StepInfo.NONE);
        // m = 0.1·g, bc1 = 0.1: m̂ = g; v = |g|; u = m̂/(v + 1e-6) + 0.1·p
        double q = 0.5 / (0.5 + 1e-6);
        double[] u = {q + 0.1, q - 0.2};
        double gn = Math.sqrt(0.5), pn = Math.sqrt(5), un = Math.hypot(u[0], u[1]);
        double cgp = -0.5 / (gn * pn), cgu = 0.5 * (u[0] + u[1]) / (gn * un), phiSqrt2 = 0.9213503964748575;
        double[] want = {0, 1, (Math.log(Math.abs(u[0]) + 1e-8) + Math.log(Math.abs(u[1]) + 1e-8)) / 2, 0,
                Math.log(1e-2 * un + 1e-8) - Math.log(pn + 1e-8), Math.log(gn + 1e-8) - Math.log(1e-8), 1, cgp, cgu,
                Math.log(pn + 1e-8) - Math.log(un + 1e-8), Math.log(phiSqrt2 / (1 - phiSqrt2)),
                Math.log(CiaoFeatures.phi(cgu * Math.sqrt(2)) / (1 - CiaoFeatures.phi(cgu * Math.sqrt(2)))), CiaoFeatures.phi(cgp * Math.sqrt(2))};
        assertArrayEquals(want, s.features(), 1e-12);
        assertEquals(phiSqrt2, CiaoFeatures.phi(Math.sqrt(2)), 1e-15);
        assertEquals(0.5, CiaoFeatures.phi(0), 1e-16);
        assertEquals(2.866515718791939e-7, CiaoFeatures.phi(-5), 1e-20);            // Φ(−5), far in the tail
        for (int t = 1; t < Ciao.FEATURE_EVERY; t++) {
            s = ciao.update(s, p, g, StepInfo.NONE);
            assertEquals(null, s.features(), "no features on step " + t);
        }
        assertEquals(CiaoFeatures.COUNT, ciao.update(s, p, g, StepInfo.NONE).features().length, "step 4 computes them again");
    }
}
