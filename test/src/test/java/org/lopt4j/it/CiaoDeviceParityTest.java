package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.cuda.CudaBackendProvider;
import org.lopt4j.opencl.OpenClBackendProvider;
import org.lopt4j.optim.Ciao;
import org.lopt4j.optim.CiaoFeatures;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * CIAO's device pass (ciao.cu/.cl) against its float64 twin (CiaoRef on the scalar backend) over 6 steps, with the
 * hyperparameters changing between steps as a policy changes them: the example config (AdaMax denominator, weight decay
 * in the update, LAMB ignoring vectors, the rolling-max clip) and Adam's denominator with decoupled decay, LAMB on every
 * tensor and a tight clip. Tensors: a 300×250 matrix spanning two slab chunks, a 40×24 matrix, a conv kernel, a bias and
 * a 0-d scalar; gradients of changing scale so the clip engages on some steps and not others. The parameters must stay
 * within float32 rounding of the twin's move, the clip decisions and rolling maximum agree, and the features of the
 * feature steps (0 and 4) agree within 2e-3 (they are logs, cosines and CDFs of float32 sums).
 */
@Tag("gpu")
class CiaoDeviceParityTest {
    static final SlabLayout LAYOUT = SlabLayout.of(List.of("big", "w", "conv", "b", "s"),
            List.of(Shape.of(300, 250), Shape.of(40, 24), Shape.of(3, 3, 4, 5), Shape.of(24), Shape.of()));
    static final int STEPS = 6;

    @Test void simdMatchesTwin() { check(Backends.best()); }

    @Test void openClMatchesTwin() { check(LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL")); }

    @Test void cudaMatchesTwin() { check(LearnedDeviceParityTest.device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA")); }

    static List<Ciao> configurations() {
        Ciao adam = new Ciao(1e-3, 0.1, 1e-3, 1e-8, 0.05, 0.5, 0.1, false, false, 0.5, 0.1, 10, false, 0.1);
        return List.of(Ciao.lhopt(), adam);
    }

    static void check(Backend b) {
        for (Ciao base : configurations()) {
            Random r = new Random(5);
            float[] p0 = new float[LAYOUT.size()];
            for (int i = 0; i < p0.length; i++) p0[i] = (float) (0.05 * r.nextGaussian());
            Slab pd = new Slab(LAYOUT, Tensor.of(b, p0, p0.length)), ps = new Slab(LAYOUT, Tensor.of(ScalarBackend.INSTANCE, p0, p0.length).to(DType.F64));
            Ciao.State sd = base.init(pd), ss = base.init(ps);
            int clipped = 0;
            for (int k = 0; k < STEPS; k++) {
                Ciao c = base.with(base.lr() * (1 + 0.5 * k), base.ombeta1(), base.ombeta2() * (k % 2 == 0 ? 1 : 3), base.epsilon(), base.weightDecay(),
                        base.clipNorm(), base.gradClipOmbeta(), base.lambUpdateNormOmbeta());
                double scale = k == 2 ? 20 : k == 3 ? 0.05 : 1;
                float[] g = new float[LAYOUT.size()];
                for (int i = 0; i < g.length; i++) g[i] = (float) (scale * (r.nextGaussian() + 0.3 * p0[i] / 0.05));
                sd = c.update(sd, pd, new Slab(LAYOUT, Tensor.of(b, g, g.length)), StepInfo.NONE);
                ss = c.update(ss, ps, new Slab(LAYOUT, Tensor.of(ScalarBackend.INSTANCE, g, g.length).to(DType.F64)), StepInfo.NONE);
                String what = b.name() + " " + (base.denominatorInf() ? "example config" : "adam denominator") + " step " + k;
                assertEquals(ss.didClip(), sd.didClip(), what + ": the clip decision");
                if (ss.didClip()) clipped++;
                assertEquals(ss.rollingMax(), sd.rollingMax(), 1e-5 * ss.rollingMax(), what + ": the rolling maximum");
                assertEquals(ss.features() == null, sd.features() == null, what + ": features on the same steps");
                if (ss.features() != null) {
                    for (int q = 0; q < CiaoFeatures.COUNT; q++) {
                        assertEquals(ss.features()[q], sd.features()[q], 2e-3 * Math.max(1, Math.abs(ss.features()[q])), what + ": feature " + CiaoFeatures.NAMES[q]);
                    }
                }
            }
            assertTrue(clipped > 0 && clipped < STEPS, "the clip engaged on some steps only (" + clipped + " of " + STEPS + ")");
            double[] want = ps.flat().toDoubleArray();
            float[] got = pd.flat().toFloatArray();
            double worstAll = 0;
            for (int t = 0; t < LAYOUT.count(); t++) {
                double worst = 0, moved = 0;
                for (int e = 0; e < LAYOUT.numel(t); e++) {
                    int i = LAYOUT.offset(t) + e;
                    worst = Math.max(worst, Math.abs(got[i] - want[i]));
                    moved = Math.max(moved, Math.abs(want[i] - p0[i]));
                }
                worstAll = Math.max(worstAll, worst);
                String what = b.name() + " " + (base.denominatorInf() ? "example config" : "adam denominator") + " " + LAYOUT.names().get(t);
                assertTrue(moved > 1e-5, what + ": the twin moved the parameters (largest move " + moved + ")");
                assertTrue(worst <= 1e-3 * moved + 1e-7, what + ": off the twin by " + worst + " after " + STEPS + " steps (largest move " + moved + ")");
            }
            System.out.println("ciao device parity: " + b.name() + " " + (base.denominatorInf() ? "example config" : "adam denominator") + ": worst |Δp| " + worstAll);
        }
    }
}
