package org.lopt4j.learned.velo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** VeLO's reference step: sizes, features, determinism, the zero-bank identity and the non-finite policy. */
class VeloTest {
    static final Backend B = Backends.best();
    static final SlabLayout LAYOUT = SlabLayout.of(List.of("a", "b", "c", "s"),
            List.of(Shape.of(16, 8), Shape.of(8), Shape.of(3, 3, 2, 4), Shape.SCALAR));

    static Slab random(int seed) {
        Slab s = Slab.zeros(B, DType.F32, LAYOUT);
        for (int i = 0; i < LAYOUT.count(); i++) s.tensor(i).assign(Tensor.random(B, DType.F32, LAYOUT.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL));
        return s;
    }

    /**
     * A zeroed state (what a truncated unroll's member reset leaves) restarts VeLO: the next step equals the first step
     * from a fresh state, in F32 (fast path) and F64 (twin), with a non-zero LSTM init state in θ.
     */
    @Test void zeroedStateRestartsLikeAFreshOne() {
        Velo vl = new Velo(16, 4, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);
        Slab theta = vl.initTheta(RandomKey.of(9), B);
        theta.tensor("lstm_init_state/hidden").fill(0.3);
        theta.tensor("lstm_init_state/cell").fill(-0.2);
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            var opt = vl.optimizer(theta);
            Slab p0 = random(1), g = random(2);
            Slab pa = Slab.zeros(B, d, LAYOUT), pb = Slab.zeros(B, d, LAYOUT), gd = Slab.zeros(B, d, LAYOUT);
            pa.flat().assign(p0.flat().to(d));
            pb.flat().assign(p0.flat().to(d));
            gd.flat().assign(g.flat().to(d));
            var fresh = opt.update(opt.init(pa), pa, gd, new StepInfo(0, 2.0, 100));
            var used = opt.init(pb);
            for (int k = 0; k < 3; k++) used = opt.update(used, pb, gd, new StepInfo(k, 2.0 - 0.1 * k, 100));
            for (Slab b : used.buffers().values()) b.flat().fill(0);
            pb.flat().assign(p0.flat().to(d));
            var again = opt.update(used.withCounters(java.util.Map.of("step", 0, "skipped", 0)), pb, gd, new StepInfo(0, 2.0, 100));
            assertArrayEquals(pa.flat().toDoubleArray(), pb.flat().toDoubleArray(), d + ": parameters after the restart");
            for (String name : fresh.buffers().keySet()) {
                assertArrayEquals(fresh.buffers().get(name).flat().toDoubleArray(), again.buffers().get(name).flat().toDoubleArray(), d + ": " + name);
            }
        }
    }

    @Test void thetaHasTheSpecSizes() {
        SlabLayout l = Velo.velo().thetaLayout();
        long lstm = 0, bankSize = 0;
        for (int i = 0; i < l.count(); i++) {
            if (l.names().get(i).startsWith("ff_mod_stack")) bankSize += l.numel(i); else lstm += l.numel(i);
        }
        assertEquals(2_279_681, lstm);
        assertEquals(256 * 159, bankSize);
        int w = 0;
        for (int g : Velo.GROUPS) w += g;
        assertEquals(30, w);
    }

    @Test void lstmFeaturesHaveRankOneHotAndScalarDefaults() {
        double[] x = new double[30];
        CpuStorage p = new CpuStorage(new float[] {2f}), v = new CpuStorage(new float[] {0f});
        CpuStorage[] m = {new CpuStorage(new float[] {0f}), new CpuStorage(new float[] {0f}), new CpuStorage(new float[] {0f})};
        VeloRef.lstmFeatures(x, Shape.SCALAR, 0, 1, p, v, m, 0.5f, new float[9]);
        assertEquals(1, x[19], "rank 0 → one-hot slot 0");
        for (int k = 0; k < 3; k++) assertEquals(-2.5, x[24 + k], 1e-12, "var_m of a scalar is clog(0)");
        assertEquals(Math.tanh(10 * (0.5f - 0.03f)), x[0], 1e-12);
        double[] y = new double[30];
        CpuStorage p4 = new CpuStorage(new float[] {1, 2, 3, 4, 5, 6}), v4 = new CpuStorage(new float[6]);
        CpuStorage[] m4 = {new CpuStorage(new float[6]), new CpuStorage(new float[6]), new CpuStorage(new float[6])};
        VeloRef.lstmFeatures(y, Shape.of(1, 6, 1), 0, 6, p4, v4, m4, 0, new float[9]);
        assertEquals(1, y[20], "one axis of size > 1");
    }

    @Test void zeroBankGivesZeroUpdatesAndStepsAreDeterministic() {
        Velo vl = new Velo(16, 8, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);
        Slab theta = vl.initTheta(RandomKey.of(1), B);
        Slab p1 = random(2), p2 = random(2), g = random(3);
        Optimizer<Velo.State> o = vl.optimizer(theta);
        Velo.State s1 = o.init(p1), s2 = o.init(p2);
        float[] start = p1.flat().toFloatArray();
        for (int t = 0; t < 4; t++) {
            s1 = o.update(s1, p1, g, new StepInfo(2.3 - 0.1 * t, 100));
            s2 = o.update(s2, p2, g, new StepInfo(2.3 - 0.1 * t, 100));
        }
        assertArrayEquals(p1.flat().toFloatArray(), p2.flat().toFloatArray());
        assertNotEquals(start[0], p1.flat().toFloatArray()[0], "the parameters moved");
        for (float f : p1.flat().toFloatArray()) assertTrue(Float.isFinite(f));
        Slab zeroBank = theta.copy();
        for (int i = 0; i < zeroBank.layout().count(); i++) if (zeroBank.layout().names().get(i).startsWith("ff_mod_stack")) zeroBank.tensor(i).fill(0);
        Optimizer<Velo.State> oz = vl.optimizer(zeroBank);
        Slab pz = random(2);
        oz.update(oz.init(pz), pz, g, new StepInfo(2.3, 100));
        assertArrayEquals(random(2).flat().toFloatArray(), pz.flat().toFloatArray());
    }

    @Test void nonFiniteLossOrGradientSkipsAndMissingHorizonIsAnError() {
        Velo vl = new Velo(16, 8, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);
        Optimizer<Velo.State> o = vl.optimizer(vl.initTheta(RandomKey.of(1), B));
        Slab p = random(2), g = random(3);
        float[] before = p.flat().toFloatArray();
        Velo.State s = o.update(o.init(p), p, g, new StepInfo(Double.NaN, 100));
        g.tensor(0).slice(0, 0, 1, 1).fill(Double.NaN);
        s = o.update(s, p, g, new StepInfo(1.0, 100));
        assertArrayEquals(before, p.flat().toFloatArray());
        assertEquals(2, s.skipped());
        Velo.State fresh = o.init(p);
        assertThrows(IllegalArgumentException.class, () -> o.update(fresh, p, random(3), StepInfo.NONE));
    }

    @Test void f64AndF32AgreeToFloatRounding() {
        Velo vl = new Velo(16, 8, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);
        Slab theta = vl.initTheta(RandomKey.of(4), ScalarBackend.INSTANCE);
        Slab p32 = random(2), g32 = random(3);
        Slab p64 = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, LAYOUT), g64 = p64.zerosLike();
        p64.flat().assign(p32.flat().to(ScalarBackend.INSTANCE).to(DType.F64));
        g64.flat().assign(g32.flat().to(ScalarBackend.INSTANCE).to(DType.F64));
        Optimizer<Velo.State> o = vl.optimizer(theta);
        Slab start = p64.copy();
        Velo.State s32 = o.init(p32), s64 = o.init(p64);
        for (int t = 0; t < 3; t++) {
            s32 = o.update(s32, p32, g32, new StepInfo(2.0, 50));
            s64 = o.update(s64, p64, g64, new StepInfo(2.0, 50));
        }
        double[] a = p32.flat().toDoubleArray(), b = p64.flat().toDoubleArray(), s0 = start.flat().toDoubleArray();
        for (int e = 0; e < a.length; e++) assertEquals(b[e], a[e], 1e-3 * Math.abs(b[e] - s0[e]) + 1e-6, "[" + e + "]");
    }
}
