package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * Five-step trajectories of PyTorch 1.13's own optimizers (fixtures written by src/test/python/make_torch_fixtures.py
 * from torch.optim), replayed in F32 on every fused implementation. torch's Adam is optax's with eps_root 0; torch's
 * RMSprop puts eps outside the sqrt ({@code g/(sqrt(v) + eps)}), so it is compared with {@link RmsProp#torch}-style
 * {@code epsInSqrt = false}, while lopt4j's default RMSProp keeps optax's eps inside the sqrt.
 */
class TorchTrajectoryTest {
    /**
     * Both sides float32 with different rounding orders (torch folds bias corrections into scalars and uses addcdiv;
     * our kernels divide per element): parameters of magnitude ≤ 1 agree to a few float32 ulps after 5 steps.
     */
    static final double TOL = 1e-6;

    /** The lopt4j optimizer with the hyperparameters the script gave torch. */
    static Optimizer<?> optimizer(String name) {
        NonFinitePolicy skip = NonFinitePolicy.SKIP_AND_COUNT;
        return switch (name) {
            case "sgd" -> Sgd.of(0.1);
            case "momentum" -> Momentum.heavyBall(0.05, 0.9);
            case "nesterov" -> Momentum.nesterov(0.05, 0.9);
            case "adam" -> Adam.optax(1e-2);
            case "adamw" -> AdamW.torch(1e-2);
            case "rmsprop" -> RmsProp.torch(1e-2);
            case "rmsprop_centered_momentum" -> new RmsProp(new Schedule.Constant(1e-2), 0.9, 1e-8, false, true, 0.5, false, skip);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @TestFactory Stream<DynamicTest> matchesPyTorch() {
        List<String> names = List.of("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "rmsprop_centered_momentum");
        return names.stream().flatMap(n -> FusedMatchesSpecTest.IMPLEMENTATIONS.stream().map(f ->
                DynamicTest.dynamicTest(n + " on " + f.name(), () -> replay(n, optimizer(n), new WithFused(ScalarBackend.INSTANCE, f)))));
    }

    static <S extends OptState<S>> void replay(String name, Optimizer<S> o, Backend b) throws IOException, URISyntaxException {
        Path file = Path.of(TorchTrajectoryTest.class.getResource("/fixtures/torch_" + name + ".safetensors").toURI());
        SafeTensors.Contents c = SafeTensors.read(file, b);
        Map<String, Tensor> t = c.tensors();
        assertEquals("1.13", c.metadata().get("torch").substring(0, 4), "fixture written by torch 1.13");
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; t.containsKey("p0/" + i); i++) {
            names.add("t" + i);
            shapes.add(t.get("p0/" + i).shape());
        }
        SlabLayout l = SlabLayout.of(names, shapes);
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        for (int i = 0; i < l.count(); i++) p.tensor(i).assign(t.get("p0/" + i));
        S s = o.init(p);
        int steps = Integer.parseInt(c.metadata().get("steps"));
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < l.count(); i++) g.tensor(i).assign(t.get("g/" + step + "/" + i));
            s = o.update(s, p, g, new StepInfo(step, Double.NaN, steps));
            for (int i = 0; i < l.count(); i++) {
                float[] want = t.get("p/" + step + "/" + i).toFloatArray(), got = p.tensor(i).toFloatArray();
                for (int e = 0; e < want.length; e++) {
                    assertEquals(want[e], got[e], TOL * Math.max(1, Math.abs(want[e])),
                            name + " on " + b.name() + ", step " + step + ", tensor " + i + "[" + e + "]");
                }
            }
        }
        assertEquals(steps, s.step());
    }
}
