package org.lopt4j.learned.celo2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.PyloImport;
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
 * CELO2 and ELO-CELO2 against PyLO's CELO2_naive and ELO_CELO2_naive (torch 1.13, 5 steps; fixtures from
 * src/test/python/make_pylo_celo2_fixtures.py) on [32,16], [16], [8,3,3,3] (normalized and orthogonalized per
 * leading index), [8,8], [4,6,6], [1,32] and a 0-d parameter, with an element outlier past the ±1000 clip. PyLO runs
 * in float32, the twin in double; Newton–Schulz amplifies the difference a little.
 */
class Celo2ConformanceTest {
    static final double ABS = 2e-6;

    @Test void celo2FollowsPylo() throws Exception {
        follows(new Celo2(Celo2.Variant.CELO2, 8, 0.01, 0.01, 1, 0.01, true, 0, 1000, 0, NonFinitePolicy.ZERO_NONFINITE), "pylo_celo2");
    }

    @Test void eloCelo2FollowsPylo() throws Exception {
        Celo2 d = Celo2.eloCelo2();
        follows(new Celo2(d.variant(), 8, 0.01, d.weightDecay(), 1, d.adamWeightDecay(), true, d.clipNorm(), 1000, 0, NonFinitePolicy.ZERO_NONFINITE),
                "pylo_elo_celo2");
    }

    /** Both paths: the Vector API step on the SIMD backend and the twin on the scalar backend. */
    static void follows(Celo2 c, String fixture) throws Exception {
        follows(c, fixture, Backends.named("simd"));
        follows(c, fixture, org.lopt4j.tensor.cpu.ScalarBackend.INSTANCE);
    }

    static void follows(Celo2 c, String fixture, Backend b) throws Exception {
        Path file = Path.of(Celo2ConformanceTest.class.getResource("/fixtures/" + fixture + ".safetensors").toURI());
        Map<String, Tensor> t = SafeTensors.read(file, b).tensors();
        Slab theta = PyloImport.celo2(c, t, "theta/", file.toString(), b);
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; t.containsKey("p0/" + i); i++) { names.add("t" + i); shapes.add(t.get("p0/" + i).shape()); }
        SlabLayout l = SlabLayout.of(names, shapes);
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        for (int i = 0; i < l.count(); i++) p.tensor(i).assign(t.get("p0/" + i));
        Optimizer<Celo2.State> o = c.optimizer(theta);
        Celo2.State s = o.init(p);
        double worst = 0, moved = 0;
        for (int step = 0; step < 5; step++) {
            for (int i = 0; i < l.count(); i++) g.tensor(i).assign(t.get("g/" + step + "/" + i));
            s = o.update(s, p, g, StepInfo.NONE);
            for (int i = 0; i < l.count(); i++) {
                float[] want = t.get("p/" + step + "/" + i).toFloatArray(), got = p.tensor(i).toFloatArray(), start = t.get("p0/" + i).toFloatArray();
                for (int e = 0; e < want.length; e++) {
                    worst = Math.max(worst, Math.abs(want[e] - got[e]));
                    moved = Math.max(moved, Math.abs(want[e] - start[e]));
                    assertEquals(want[e], got[e], ABS, fixture + " on " + b.name() + " step " + step + " tensor " + shapes.get(i) + " [" + e + "]");
                }
            }
        }
        assertTrue(moved > 100 * ABS, "the parameters moved well beyond the tolerance: " + moved);
        System.out.println(c.name() + " vs PyLO (" + fixture + ", " + b.name() + "): worst |Δp| over 5 steps = " + worst + ", largest move " + moved);
    }
}
