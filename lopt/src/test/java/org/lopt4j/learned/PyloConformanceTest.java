package org.lopt4j.learned;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * small_fc_lopt against PyLO's AdafacLO_naive (5 steps, μLO shape, tied dims, gradient outliers); fixture made by
 * src/test/python/make_pylo_fixtures.py running PyLO's code on PyTorch 1.13 CPU.
 */
class PyloConformanceTest {
    /**
     * Both float32; the per-tensor normalizers are means over differently ordered sums and the MLP sums in another
     * order, so features differ by a few ulps and the MLP amplifies them; the step is ~1e-2, so parameters agree to
     * about 1e-6 absolute. Measured here: worst |Δp| = 1.2e-7 over 5 steps (printed by the test).
     */
    static final double ABS = 2e-6;

    @Test void matchesPyloTrajectory() throws Exception {
        Backend b = Backends.best();
        Path file = Path.of(getClass().getResource("/fixtures/pylo_adafaclo.safetensors").toURI());
        SmallFcLopt lo = SmallFcLopt.mulo();
        follows(lo.optimizer(PyloImport.fromStateDict(lo, SafeTensors.read(file, b).tensors(), "theta/", file.toString(), b)), "pylo_adafaclo", b);
    }

    /**
     * PyLO's options (lr 0.5, weight_decay 0.01, max_grad_norm 1.0) on tied dimensions (8×8, 4×6×6, 16×16×3×3,
     * 3×3×5×5), a 0-d parameter (stepped, not compared: see {@link #follows}) and a gradient outlier of 2,500, on the
     * SIMD backend and the scalar twin.
     */
    @Test void pyloOptionsFollowThePyloTrajectory() throws Exception {
        for (Backend b : List.of(Backends.best(), org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE)) {
            Path file = Path.of(getClass().getResource("/fixtures/pylo_adafaclo_options.safetensors").toURI());
            SmallFcLopt lo = SmallFcLopt.mulo();
            Slab theta = PyloImport.fromStateDict(lo, SafeTensors.read(file, b).tensors(), "theta/", file.toString(), b);
            follows(lo.optimizer(theta, new UpdateOptions(0.5, 0.01, 1.0)), "pylo_adafaclo_options", b);
        }
        // the same weights from PyLO's hub layout, through the one-call API
        Pretrained p = Pretrained.load(Path.of(getClass().getResource("/fixtures/pylo_hub/mulo").toURI()));
        follows(p.optimizer(new UpdateOptions(0.5, 0.01, 1.0)), "pylo_adafaclo_options", Backends.best());
    }

    /**
     * ELO (celo2.md §3) is small_fc_lopt with raw decays (zero offsets in θ), width 32, step_mult = ELO's lr and
     * exp_mult 0.001: against PyLO's ELO_naive at lr 0.01.
     */
    @Test void eloIsSmallFcLoptWithRawDecays() throws Exception {
        Backend b = Backends.best();
        Path file = Path.of(getClass().getResource("/fixtures/pylo_elo.safetensors").toURI());
        SmallFcLopt lo = new SmallFcLopt(32, 2, 0.01, 0.001, 1, org.lopt4j.optim.NonFinitePolicy.SKIP_AND_COUNT);
        Slab theta = PyloImport.fromStateDict(lo, SafeTensors.read(file, b).tensors(), "theta/", file.toString(), b);
        for (String d : List.of("momentum_decays", "rms_decays", "adafactor_decays")) theta.tensor(d).fill(0);
        follows(lo.optimizer(theta), "pylo_elo", b);
    }

    /** The same weights as PyLO's hub layout (make_pylo_hub_fixtures.py), read by {@link Pretrained#load}. */
    @Test void hubDirectoryFollowsThePyloTrajectory() throws Exception {
        Pretrained p = Pretrained.load(Path.of(getClass().getResource("/fixtures/pylo_hub/mulo").toURI()));
        assertEquals(SmallFcLopt.mulo(), p.lopt());
        follows(p.optimizer(), "pylo_adafaclo", Backends.best());
    }

    /** {@code opt} steps the fixture's parameters as PyLO's AdafacLO_naive did, 5 steps. */
    @SuppressWarnings("unchecked")
    static void follows(Optimizer<?> opt, String fixture, Backend b) throws Exception {
        Path file = Path.of(PyloConformanceTest.class.getResource("/fixtures/" + fixture + ".safetensors").toURI());
        Map<String, Tensor> t = SafeTensors.read(file, b).tensors();
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; t.containsKey("p0/" + i); i++) { names.add("t" + i); shapes.add(t.get("p0/" + i).shape()); }
        SlabLayout l = SlabLayout.of(names, shapes);
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        for (int i = 0; i < l.count(); i++) p.tensor(i).assign(t.get("p0/" + i));
        Optimizer<SmallFcLopt.State> o = (Optimizer<SmallFcLopt.State>) opt;
        SmallFcLopt.State s = o.init(p);
        double worst = 0;
        for (int step = 0; step < 5; step++) {
            for (int i = 0; i < l.count(); i++) g.tensor(i).assign(t.get("g/" + step + "/" + i));
            s = o.update(s, p, g, StepInfo.NONE);
            for (int i = 0; i < l.count(); i++) {
                // A 0-d parameter: PyLO on torch 1.13 normalizes its 28 features by one shared mean (mean over dim=[]
                // reduces everything); lopt4j follows learned_optimization, one normalizer per feature (small_fc_lopt.md,
                // "Rank 0"). SmallFcLoptTest holds the 0-d update to the spec.
                if (shapes.get(i).rank() == 0) continue;
                float[] want = t.get("p/" + step + "/" + i).toFloatArray(), got = p.tensor(i).toFloatArray();
                for (int e = 0; e < want.length; e++) {
                    worst = Math.max(worst, Math.abs(want[e] - got[e]));
                    assertEquals(want[e], got[e], ABS, "step " + step + " tensor " + names.get(i) + shapes.get(i) + " [" + e + "]");
                }
            }
        }
        System.out.println("small_fc_lopt vs PyLO AdafacLO_naive (" + fixture + ", " + b.name() + "): worst |Δp| over 5 steps = " + worst);
    }

    @Test void importsAPyloDirectory(@TempDir Path dir) throws Exception {
        Backend b = Backends.best();
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("network.input.weight", Tensor.full(b, DType.F32, Shape.of(8, 39), 0.5));
        sd.put("network.input.bias", Tensor.full(b, DType.F32, Shape.of(8), 0.1));
        sd.put("network.linear_0.weight", Tensor.full(b, DType.F32, Shape.of(8, 8), 0.2));
        sd.put("network.linear_0.bias", Tensor.full(b, DType.F32, Shape.of(8), 0));
        sd.put("network.output.weight", Tensor.full(b, DType.F32, Shape.of(2, 8), 0.3));
        sd.put("network.output.bias", Tensor.full(b, DType.F32, Shape.of(2), 0));
        SafeTensors.write(dir.resolve("model.safetensors"), sd, Map.of());
        Files.writeString(dir.resolve("config.json"), "{\"input_size\": 39, \"hidden_size\": 8, \"hidden_layers\": 1}");
        PyloImport.Imported im = PyloImport.smallFcLopt(dir, b);
        assertEquals(8, im.lopt().hiddenSize());
        assertEquals(Shape.of(39, 8), im.theta().tensor("nn/~/w0").shape());
        assertEquals(0.5f, im.theta().tensor("nn/~/w0").toFloatArray()[0]);
        sd.remove("network.output.bias");
        SafeTensors.write(dir.resolve("model.safetensors"), sd, Map.of());
        String m = assertThrows(java.io.IOException.class, () -> PyloImport.smallFcLopt(dir, b)).getMessage();
        assertTrue(m.contains("network.output.bias"), m);
        Files.writeString(dir.resolve("config.json"), "{\"input_size\": 19}");
        assertThrows(java.io.IOException.class, () -> PyloImport.smallFcLopt(dir, b));
    }
}
