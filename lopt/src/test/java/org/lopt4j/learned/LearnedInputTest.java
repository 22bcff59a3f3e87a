package org.lopt4j.learned;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.optim.OptState;
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

/** Bad input to the learned optimizers: a gradient slab of another layout or dtype is refused and changes nothing. */
class LearnedInputTest {
    @Test void mismatchedGradientsAreRefusedBeforeAnyChange() {
        Backend b = Backends.best();
        SlabLayout l = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(8, 4), Shape.of(4)));
        SlabLayout transposed = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(4, 8), Shape.of(4)));
        for (LearnedOptimizer<?> lo : List.of(SmallFcLopt.google(), MlpLopt.defaults(), new Velo(16, 4, NonFinitePolicy.SKIP_AND_COUNT))) {
            refused(lo, b, l, transposed);
        }
    }

    private static <S extends OptState<S>> void refused(LearnedOptimizer<S> lo, Backend b, SlabLayout l, SlabLayout transposed) {
        {
            Optimizer<S> opt = lo.optimizer(lo.initTheta(RandomKey.of(1), b));
            Slab p = Slab.zeros(b, DType.F32, l);
            p.flat().fill(0.5);
            S s = opt.init(p);
            for (Slab g : List.of(Slab.zeros(b, DType.F32, transposed), Slab.zeros(b, DType.F64, l))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.update(s, p, g, new StepInfo(0, 1.0, 100)),
                        lo.name() + " with " + g.dtype() + " " + g.layout().shapes());
                assertTrue(e.getMessage().contains("does not match"), e.getMessage());
            }
            double[] want = new double[p.layout().size()];
            java.util.Arrays.fill(want, 0.5);
            assertArrayEquals(want, p.flat().toDoubleArray(), lo.name() + ": parameters untouched");
        }
    }
}
