package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/** Several θs in one population: each member's estimate is its own, whatever the others' θ, σ or unroll length. */
class PopulationEsTest {
    final Backend b = Backends.best();
    final LearnedOptimizer<?> lo = LearnedOptimizers.named("small_fc_lopt");
    final Task task = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);

    PopulationEs es(FullEs.LossType loss) {
        return new PopulationEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), 2, 2, 0, 0, b), loss, 2, 0, 0);
    }

    double[] theta(int seed) { return Perturbations.flat(lo.initTheta(RandomKey.of(seed), b)); }

    @Test void aMembersEstimateDoesNotDependOnTheOtherMembers() {
        for (FullEs.LossType loss : new FullEs.LossType[] {FullEs.LossType.AVG, FullEs.LossType.MIN, FullEs.LossType.LAST}) {
            RandomKey key = RandomKey.of(4);
            PopulationEs.MemberEstimate[] a = es(loss).estimate(new double[][] {theta(1), theta(2)}, new double[] {0.01, 0.01}, new int[] {6, 9}, 2, key);
            PopulationEs.MemberEstimate[] c = es(loss).estimate(new double[][] {theta(1), theta(3)}, new double[] {0.01, 0.05}, new int[] {6, 14}, 2, key);
            assertEquals(a[0].meanLoss(), c[0].meanLoss(), 0, loss + ": member 0's meta-loss");
            assertArrayEquals(a[0].grad(), c[0].grad(), 0, loss + ": member 0's gradient");
            assertNotEquals(a[1].meanLoss(), c[1].meanLoss(), loss + ": member 1 did change");
        }
    }

    @Test void oneThetaIsFullEs() {
        FullEs full = new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), 2, 2, 0, 0, b),
                TruncationSchedule.parse("constant:8"), 4, 0.02, FullEs.LossType.AVG, 2, 0, 0);
        RandomKey key = RandomKey.of(6);
        GradientEstimator.Estimate want = full.estimate(theta(1), key, EstimatorState.NONE);
        PopulationEs.MemberEstimate got = es(FullEs.LossType.AVG).estimate(new double[][] {theta(1)}, new double[] {0.02}, new int[] {8}, 2, key)[0];
        assertEquals(want.meanLoss(), got.meanLoss(), 0);
        assertArrayEquals(want.grad(), got.grad(), 0);
    }
}
