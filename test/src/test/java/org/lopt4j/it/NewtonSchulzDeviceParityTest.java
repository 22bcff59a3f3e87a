package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.cuda.CudaBackendProvider;
import org.lopt4j.opencl.OpenClBackendProvider;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.Muon;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.optim.NewtonSchulzPlan;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Schedule;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.optim.spec.MuonSpec;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The grouped Newton–Schulz pass (newton_schulz.cu/.cl, and the SIMD backend's float32 pass) against the float64 twin
 * {@link NewtonSchulz#orthogonalize}: one call over matrices of tied, wide, tall, thin and tile-straddling shapes (8×8,
 * 16×64, 64×16, 37×100, 130×20, 1×32, 32×1, 3×3, 5×5), gradients of scale 1e-3 to 1e3, each result times its own
 * scale, and a slab gap between matrices the pass must leave alone. Each matrix must agree within float32 rounding of
 * the quintic: |device − twin| ≤ 2e-4·max|twin| elementwise. Then Muon's whole step on the device against its float64
 * spec over 3 steps. OpenCL runs on PoCL in CI; CUDA runs on the simulator, and skips without either.
 */
@Tag("gpu")
class NewtonSchulzDeviceParityTest {
    static final int[][] SHAPES = {{8, 8}, {16, 64}, {64, 16}, {37, 100}, {130, 20}, {1, 32}, {32, 1}, {3, 3}, {5, 5}};
    static final double REL = 2e-4;

    @Test void simdMatchesTwin() { check(Backends.best()); }

    @Test void openClMatchesTwin() { check(LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL")); }

    @Test void cudaMatchesTwin() { check(LearnedDeviceParityTest.device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA")); }

    @Test void openClMuonMatchesSpec() { muon(LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL")); }

    @Test void cudaMuonMatchesSpec() { muon(LearnedDeviceParityTest.device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA")); }

    static void check(Backend b) {
        Random r = new Random(7);
        List<NewtonSchulzPlan.Matrix> ms = new ArrayList<>();
        int at = 3;                                        // a gap before, between and after the matrices
        for (int[] s : SHAPES) {
            ms.add(new NewtonSchulzPlan.Matrix(at, s[0], s[1]));
            at += s[0] * s[1] + 5;
        }
        float[] x = new float[at], scales = new float[ms.size()];
        for (int m = 0; m < ms.size(); m++) {
            NewtonSchulzPlan.Matrix mat = ms.get(m);
            double size = Math.pow(10, -3 + 6.0 * m / (ms.size() - 1));
            for (int e = 0; e < mat.rows() * mat.cols(); e++) x[mat.offset() + e] = (float) (size * r.nextGaussian());
            scales[m] = 0.5f + m * 0.25f;
        }
        for (int i = 0; i < 3; i++) x[i] = 11 + i;
        float[] before = x.clone();
        Tensor dev = Tensor.of(b, x, x.length);
        NewtonSchulzPlan.of(b, ms, scales).run(dev, NewtonSchulz.EPS);
        float[] got = dev.toFloatArray();
        boolean[] inside = new boolean[x.length];
        for (int m = 0; m < ms.size(); m++) {
            NewtonSchulzPlan.Matrix mat = ms.get(m);
            int n = mat.rows() * mat.cols();
            double[] want = new double[n];
            for (int e = 0; e < n; e++) want[e] = before[mat.offset() + e];
            NewtonSchulz.orthogonalize(want, 0, mat.rows(), mat.cols(), NewtonSchulz.EPS);
            double max = 0, worst = 0;
            for (int e = 0; e < n; e++) max = Math.max(max, Math.abs(scales[m] * want[e]));
            for (int e = 0; e < n; e++) {
                inside[mat.offset() + e] = true;
                worst = Math.max(worst, Math.abs(got[mat.offset() + e] - scales[m] * want[e]));
            }
            assertTrue(max > 0.05, "the twin's result of " + mat + " is not degenerate");
            assertTrue(worst <= REL * max, b.name() + ": " + mat + " off by " + worst + " (largest entry " + max + ")");
        }
        for (int i = 0; i < x.length; i++) if (!inside[i]) assertEquals(before[i], got[i], 0, b.name() + ": entry " + i + " outside every matrix changed");
    }

    /** Muon (Nesterov, weight decay, AdamW for the rest) on the device against its float64 spec over 3 steps. */
    static void muon(Backend b) {
        SlabLayout l = SlabLayout.of(List.of("w0", "b0", "w1", "conv", "w2"),
                List.of(Shape.of(40, 24), Shape.of(24), Shape.of(24, 24), Shape.of(4, 3, 3, 2), Shape.of(24, 70)));
        Muon muon = new Muon(new Schedule.Constant(0.02), 0.95, true, 0.1, AdamW.of(0.003, 0.1), NonFinitePolicy.SKIP_AND_COUNT);
        Random r = new Random(3);
        float[] p0 = new float[l.size()];
        for (int i = 0; i < p0.length; i++) p0[i] = (float) (0.1 * r.nextGaussian());
        Slab pd = new Slab(l, Tensor.of(b, p0, p0.length)), ps = new Slab(l, Tensor.of(Backends.scalar(), p0, p0.length).to(DType.F64));
        MuonSpec spec = new MuonSpec(muon);
        Muon.State sd = muon.init(pd);
        Muon.State ss = spec.init(ps);
        for (int k = 0; k < 3; k++) {
            float[] g = new float[l.size()];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            sd = muon.update(sd, pd, new Slab(l, Tensor.of(b, g, g.length)), new StepInfo(k, 1, 10));
            ss = spec.update(ss, ps, new Slab(l, Tensor.of(Backends.scalar(), g, g.length).to(DType.F64)), new StepInfo(k, 1, 10));
        }
        double[] want = ps.flat().toDoubleArray(), start = new double[p0.length];
        float[] got = pd.flat().toFloatArray();
        double worst = 0, moved = 0;
        for (int i = 0; i < want.length; i++) {
            start[i] = p0[i];
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
            moved = Math.max(moved, Math.abs(want[i] - start[i]));
        }
        assertTrue(moved > 0.01, "the spec moved the parameters (largest move " + moved + ")");
        assertTrue(worst <= 2e-5 + 1e-3 * moved, b.name() + ": Muon off its spec by " + worst + " after 3 steps (largest move " + moved + ")");
    }
}
