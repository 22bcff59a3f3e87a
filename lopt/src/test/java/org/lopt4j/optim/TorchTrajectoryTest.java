package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;

/** Five-step trajectories of PyTorch 1.13's own optimizers (fixtures from src/test/python/make_torch_fixtures.py). */
class TorchTrajectoryTest {
    /**
     * Float32 on both sides, but different rounding order (torch folds bias corrections into scalars, we compute in
     * double per element), over 5 steps: parameters agree to a few float32 ulps of their magnitude.
     */
    static final double REL = 2e-6;

    static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> Sgd.plain(0.1);
            case "momentum" -> Sgd.momentum(0.05, 0.9);
            case "nesterov" -> Sgd.nesterov(0.05, 0.9);
            case "adam" -> Adam.plain(1e-2);
            case "adamw" -> Adam.adamw(1e-2, 1e-2);
            case "rmsprop" -> RmsProp.torch(1e-2);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"})
    void matchesPyTorch(String name) throws IOException, URISyntaxException {
        Path file = Path.of(getClass().getResource("/fixtures/torch_" + name + ".safetensors").toURI());
        Backend b = Backends.best();
        Map<String, Tensor> t = SafeTensors.read(file, b).tensors();
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; t.containsKey("p0/" + i); i++) { names.add("t" + i); shapes.add(t.get("p0/" + i).shape()); }
        SlabLayout l = SlabLayout.of(names, shapes);
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        for (int i = 0; i < l.count(); i++) p.tensor(i).assign(t.get("p0/" + i));
        Optimizer o = optimizer(name);
        OptState s = o.init(p);
        for (int step = 0; step < 5; step++) {
            for (int i = 0; i < l.count(); i++) g.tensor(i).assign(t.get("g/" + step + "/" + i));
            s = o.update(s, p, g, StepInfo.NONE);
            for (int i = 0; i < l.count(); i++) {
                float[] want = t.get("p/" + step + "/" + i).toFloatArray(), got = p.tensor(i).toFloatArray();
                for (int e = 0; e < want.length; e++) {
                    assertEquals(want[e], got[e], REL * Math.max(1, Math.abs(want[e])), name + " step " + step + " tensor " + i + " [" + e + "]");
                }
            }
        }
        assertEquals(5, s.step());
    }
}
