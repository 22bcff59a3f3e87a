package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.cuda.CudaBackendProvider;
import org.lopt4j.learned.celo2.Celo2;
import org.lopt4j.opencl.OpenClBackendProvider;
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

/**
 * CELO2's device pass (celo2.cu/.cl) against its float64 twin (Celo2Ref on the scalar backend) over 3 steps of a
 * two-member population with its own θ per member: a dense matrix, a tied 8×8, a 1×32 row, a conv kernel whose
 * [5 × 6] blocks are normalized and orthogonalized one by one, a 70×1000 matrix spanning several block and slab chunks,
 * a bias and a 0-d scalar (AdamW). Three configurations: CELO2 with weight decay and the magnitude output in use,
 * ELO-CELO2 (shared AdamW moments, a global norm clip that engages, weight decay 0.1) and CELO2 without Newton–Schulz.
 * The device must stay within float32 rounding of the twin's move: |device − twin| ≤ 2e-3 · largest move + 1e-6.
 */
@Tag("gpu")
class Celo2DeviceParityTest {
    static final List<Shape> SHAPES = List.of(Shape.of(40, 24), Shape.of(8, 8), Shape.of(1, 32), Shape.of(3, 3, 5, 6), Shape.of(70, 1000),
            Shape.of(24), Shape.of());
    static final int MEMBERS = 2, STEPS = 3;

    @Test void simdMatchesTwin() { check(Backends.best()); }

    @Test void openClMatchesTwin() { check(LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL")); }

    @Test void cudaMatchesTwin() { check(LearnedDeviceParityTest.device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA")); }

    static List<Celo2> configurations() {
        Celo2 c = Celo2.celo2();
        return List.of(new Celo2(c.variant(), c.hidden(), 1e-3, 0.01, 2, 0.05, true, 0, 1000, 0.3, NonFinitePolicy.ZERO_NONFINITE),
                Celo2.eloCelo2(),
                new Celo2(c.variant(), c.hidden(), 1e-3, 0, 1, 0, false, 0, 0.5, 0, NonFinitePolicy.ZERO_NONFINITE));
    }

    static void check(Backend b) {
        for (Celo2 c : configurations()) {
            SlabLayout l = layout();
            Slab theta = population(c);
            Random r = new Random(11);
            float[] p0 = new float[l.size()];
            for (int i = 0; i < p0.length; i++) p0[i] = (float) (0.1 * r.nextGaussian());
            Slab pd = new Slab(l, Tensor.of(b, p0, p0.length)), ps = new Slab(l, Tensor.of(ScalarBackend.INSTANCE, p0, p0.length).to(DType.F64));
            Optimizer<Celo2.State> od = c.optimizer(theta), os = c.optimizer(theta);
            Celo2.State sd = od.init(pd), ss = os.init(ps);
            for (int k = 0; k < STEPS; k++) {
                float[] g = new float[l.size()];
                for (int i = 0; i < g.length; i++) g[i] = (float) ((k == 1 && i % 997 == 0 ? 30 : 1) * r.nextGaussian());
                sd = od.update(sd, pd, new Slab(l, Tensor.of(b, g, g.length)), new StepInfo(k, 1, 10));
                ss = os.update(ss, ps, new Slab(l, Tensor.of(ScalarBackend.INSTANCE, g, g.length).to(DType.F64)), new StepInfo(k, 1, 10));
            }
            double[] want = ps.flat().toDoubleArray();
            float[] got = pd.flat().toFloatArray();
            double all = 0;
            for (int i = 0; i < got.length; i++) all = Math.max(all, Math.abs(got[i] - want[i]));
            System.out.println("celo2 device parity: " + b.name() + " " + c.name() + (c.orthogonalize() ? "" : " (no Newton-Schulz)") + ": worst |Δp| " + all);
            for (int t = 0; t < l.count(); t++) {
                double worst = 0, moved = 0;
                for (int e = 0; e < l.numel(t); e++) {
                    int i = l.offset(t) + e;
                    worst = Math.max(worst, Math.abs(got[i] - want[i]));
                    moved = Math.max(moved, Math.abs(want[i] - p0[i]));
                }
                String what = b.name() + " " + c.name() + (c.orthogonalize() ? "" : " (no Newton-Schulz)") + " " + l.names().get(t) + " " + l.shape(t);
                assertTrue(moved > 1e-4, what + ": the twin moved the parameters (largest move " + moved + ")");
                assertTrue(worst <= 2e-3 * moved + 1e-6, what + ": off the twin by " + worst + " after " + STEPS + " steps (largest move " + moved + ")");
            }
        }
    }

    static SlabLayout layout() { return LearnedDeviceParityTest.layout(SHAPES, MEMBERS); }

    /** Each member its own θ (PyLO's initialization from different keys). */
    static Slab population(Celo2 c) {
        int size = c.thetaLayout().size();
        Slab pop = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, c.thetaLayout().repeat(MEMBERS));
        for (int m = 0; m < MEMBERS; m++) pop.flat().slice(0, m * size, (m + 1) * size, 1).assign(c.initTheta(RandomKey.of(5 + m), ScalarBackend.INSTANCE).flat());
        return pop;
    }
}
