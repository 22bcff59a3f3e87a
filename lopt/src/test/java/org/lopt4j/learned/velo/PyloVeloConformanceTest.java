package org.lopt4j.learned.velo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.PyloImport;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.optim.NonFinitePolicy;
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
 * VeLO against PyLO's VeLO_naive (PyTorch 1.13 CPU, lr 1 = Google's VeLO, 5 steps with a loss spike); fixture from
 * src/test/python/make_pylo_velo_fixtures.py. LSTM 32, bank of 8 (same code paths as 512/256, smaller files).
 */
class PyloVeloConformanceTest {
    /**
     * float32 on PyLO's side vs double here, and loss features are ratios of near-equal numbers (velo.md §13); the
     * measured worst case is 6e-8 (printed), so 1e-6 leaves room for summation-order changes.
     */
    static final double ABS = 1e-6;

    @Test void matchesPyloTrajectory() throws Exception {
        Backend b = Backends.best();
        Path file = Path.of(getClass().getResource("/fixtures/pylo_velo.safetensors").toURI());
        Velo vl = new Velo(32, 8, NonFinitePolicy.SKIP_AND_COUNT);
        follows(vl.optimizer(PyloImport.velo(vl, SafeTensors.read(file, b).tensors(), "rnn/", "mlp/", file.toString(), b)), "pylo_velo", b);
    }

    /** PyLO's options: lr 0.3, weight_decay 0.01, num_steps 250, on the SIMD backend and the scalar twin. */
    @Test void pyloOptionsFollowThePyloTrajectory() throws Exception {
        for (Backend b : List.of(Backends.best(), org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE)) {
            Path file = Path.of(getClass().getResource("/fixtures/pylo_velo_options.safetensors").toURI());
            Velo vl = new Velo(32, 8, NonFinitePolicy.SKIP_AND_COUNT);
            Slab theta = PyloImport.velo(vl, SafeTensors.read(file, b).tensors(), "rnn/", "mlp/", file.toString(), b);
            follows(vl.optimizer(theta, new org.lopt4j.learned.UpdateOptions(0.3, 0.01, 0)), "pylo_velo_options", b);
        }
    }

    /** The same weights as PyLO's two hub directories (make_pylo_hub_fixtures.py), read by {@link Pretrained#load}. */
    @Test void hubDirectoriesFollowThePyloTrajectory() throws Exception {
        Path dir = Path.of(getClass().getResource("/fixtures/pylo_hub/velo").toURI());
        for (Path p : List.of(dir, dir.resolve("VeLO_RNN"), dir.resolve("VeLO_MLP"))) {
            Pretrained loaded = Pretrained.load(p);
            assertEquals(new Velo(32, 8, NonFinitePolicy.ZERO_NONFINITE), loaded.lopt(), p.toString());
            follows(loaded.optimizer(), "pylo_velo", Backends.best());
        }
    }

    /**
     * VeLO at its full size (LSTM 512, bank 256) with num_steps 333 and weight decay 0.01: the fixture holds the
     * trajectory, not the 8 MB of weights, which both sides compute from the rule in make_pylo_option_fixtures.py.
     */
    @Test void fullSizeVeloFollowsThePyloTrajectory() throws Exception {
        Backend b = Backends.best();
        Path file = Path.of(getClass().getResource("/fixtures/pylo_velo_full.safetensors").toURI());
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        List<?> listing = (List<?>) org.lopt4j.tensor.io.Json.parse(SafeTensors.header(file).metadata().get("weights"));
        for (int k = 0; k < listing.size(); k++) {
            List<?> entry = (List<?>) listing.get(k);
            List<?> dims = (List<?>) entry.get(1);
            int[] shape = new int[dims.size()];
            for (int d = 0; d < shape.length; d++) shape[d] = ((Long) dims.get(d)).intValue();
            sd.put((String) entry.get(0), formula(b, shape, k));
        }
        Velo vl = new Velo(512, 256, NonFinitePolicy.SKIP_AND_COUNT);
        follows(vl.optimizer(PyloImport.velo(vl, sd, "rnn/", "mlp/", file.toString(), b), new org.lopt4j.learned.UpdateOptions(1, 0.01, 0)),
                "pylo_velo_full", b);
    }

    /** The fixture script's weight rule: ((7919 i + 104729 k) mod 2001 − 1000)/1000 · 2^−e, e = rint(log2 √fan_in). */
    static Tensor formula(Backend b, int[] shape, int k) {
        int n = 1;
        for (int d : shape) n *= d;
        int fan = shape.length >= 2 ? shape[shape.length - 1] : 1;
        int e = (int) Math.rint(Math.log(Math.sqrt(fan)) / Math.log(2));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((((7919L * i + 104729L * k) % 2001) - 1000) / 1000.0 * Math.scalb(1.0, -e));
        return Tensor.of(b, v, shape);
    }

    /** {@code opt} steps the fixture's parameters as PyLO's VeLO_naive did. */
    @SuppressWarnings("unchecked")
    static void follows(Optimizer<?> opt, String fixture, Backend b) throws Exception {
        Path file = Path.of(PyloVeloConformanceTest.class.getResource("/fixtures/" + fixture + ".safetensors").toURI());
        SafeTensors.Contents contents = SafeTensors.read(file, b);
        Map<String, Tensor> t = contents.tensors();
        int numSteps = Integer.parseInt(contents.metadata().getOrDefault("num_steps", "100"));
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; t.containsKey("p0/" + i); i++) { names.add("t" + i); shapes.add(t.get("p0/" + i).shape()); }
        SlabLayout l = SlabLayout.of(names, shapes);
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        for (int i = 0; i < l.count(); i++) p.tensor(i).assign(t.get("p0/" + i));
        Optimizer<Velo.State> o = (Optimizer<Velo.State>) opt;
        Velo.State s = o.init(p);
        double worst = 0;
        for (int step = 0; t.containsKey("loss/" + step); step++) {
            for (int i = 0; i < l.count(); i++) g.tensor(i).assign(t.get("g/" + step + "/" + i));
            s = o.update(s, p, g, new StepInfo(t.get("loss/" + step).item(), numSteps));
            for (int i = 0; i < l.count(); i++) {
                float[] want = t.get("p/" + step + "/" + i).toFloatArray(), got = p.tensor(i).toFloatArray();
                for (int e = 0; e < want.length; e++) {
                    worst = Math.max(worst, Math.abs(want[e] - got[e]));
                    assertEquals(want[e], got[e], ABS, "step " + step + " tensor " + shapes.get(i) + " [" + e + "]");
                }
            }
        }
        System.out.println("VeLO vs PyLO VeLO_naive (" + fixture + ", " + b.name() + "): worst |Δp| = " + worst);
    }
}
