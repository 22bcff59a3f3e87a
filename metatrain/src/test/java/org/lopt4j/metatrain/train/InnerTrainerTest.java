package org.lopt4j.metatrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Members trained as one batched model are independent runs: each learned optimizer member reads its own loss. */
class InnerTrainerTest {
    static final Backend B = Backends.best();

    @Test void aMemberTrainsAsItWouldAlone() {
        Task task = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
        L3rs lo = new L3rs(task.layout().count(), 8, 1e-2, true, NonFinitePolicy.ZERO_NONFINITE);
        Slab theta = lo.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE);
        Tensor out = theta.tensor("mlp/~/linear_2/w");                      // a θ whose λ and μ read the features, loss included
        Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F32, out.shape(), RandomKey.of(2), Op.Dist.NORMAL);
        out.assign(r.mul(r.scalar(0.5)));
        int steps = 30;
        double[] pair = member0(InnerTrainer.train(task, lo.optimizer(lo.population(theta, 2)), steps, 7, 2, B, null).params(), task);
        double[] alone = member0(InnerTrainer.train(task, lo.optimizer(lo.population(theta, 1)), steps, 7, 1, B, null).params(), task);
        double worst = 0, scale = 0;
        for (int i = 0; i < alone.length; i++) {
            worst = Math.max(worst, Math.abs(pair[i] - alone[i]));
            scale = Math.max(scale, Math.abs(alone[i]));
        }
        // batched and single matmuls differ only in summation order; a member fed the pair's mean loss is far off
        assertTrue(worst <= 1e-4 * scale, "member 0 batched vs alone: max difference " + worst + " of " + scale);
        assertEquals(alone.length, task.layout().size());
    }

    private static double[] member0(Slab params, Task task) {
        return Arrays.copyOf(params.flat().toDoubleArray(), task.layout().size());
    }
}
