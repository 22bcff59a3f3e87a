package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.task.QuadraticTask;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/** The truncated step's episode bookkeeping (outer_training.md §2–3). */
class TruncatedUnrollTest {
    final Backend b = Backends.best();
    final QuadraticTask task = new QuadraticTask(4, RandomKey.of(5), b);
    final PerCoordinateSgd lo = new PerCoordinateSgd(4, Math.log(0.1));

    Slab thetas(int members) { return Perturbations.population(lo, Perturbations.flat(lo.initTheta(RandomKey.of(0), b)), null, members, 1); }

    @Test void episodesEndResetAndMask() {
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(3), 2, 1, 0, 0, b);
        Slab th = thetas(2);
        UnrollState s = u.init(RandomKey.of(1), th);
        Slab grads = s.params().zerosLike();
        float[] start = s.params().flat().toFloatArray();
        boolean[][] done = new boolean[5][], mask = new boolean[5][];
        double[][] loss = new double[5][];
        for (int t = 0; t < 5; t++) {
            TruncatedUnroll.StepOutput o = u.step(s, RandomKey.of(2).child(t), grads, u.fused(th));
            done[t] = o.done();
            mask[t] = o.mask();
            loss[t] = o.loss();
        }
        // training steps 1, 2, 3 (done on 3), then the reset step (masked, loss 0), then step 1 of the next episode
        assertArrayEquals(new boolean[] {false, false, true, false, false}, new boolean[] {done[0][0], done[1][0], done[2][0], done[3][0], done[4][0]});
        assertArrayEquals(new boolean[] {true, true, true, false, true}, new boolean[] {mask[0][0], mask[1][0], mask[2][0], mask[3][0], mask[4][0]});
        assertEquals(0, loss[3][0]);
        assertTrue(loss[2][0] < loss[0][0], "training lowers the loss");
        assertEquals(1, s.iteration()[0]);
        assertEquals(1, s.optStep()[0]);
        assertFalse(java.util.Arrays.equals(start, s.params().flat().toFloatArray()));
    }

    @Test void initialOffsetsShortenOnlyTheFirstEpisode() {
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(10), 16, 1, 10, 0, b);
        Slab th = thetas(16);
        UnrollState s = u.init(RandomKey.of(3), th);
        int[] it = s.iteration().clone();
        assertTrue(java.util.Arrays.stream(it).distinct().count() > 3, "offsets differ: " + java.util.Arrays.toString(it));
        for (int v : it) assertTrue(v >= 0 && v < 10);
        assertArrayEquals(new int[16], s.optStep(), "the optimizer's own count starts at 0");
        Slab grads = s.params().zerosLike();
        for (int t = 0; t < 10 - it[0] - 1; t++) assertFalse(u.step(s, RandomKey.of(4).child(t), grads, u.fused(th)).done()[0]);
        assertTrue(u.step(s, RandomKey.of(4).child(99), grads, u.fused(th)).done()[0]);
    }

    @Test void antitheticCopiesShareStartAndData() {
        TruncatedUnroll u = new TruncatedUnroll(Tasks.byName("ImageMLP_FashionMnist8_Relu32", null), lo4(), new TruncationSchedule.Constant(50), 2, 2, 0, 0, b);
        Slab th = Perturbations.population(u.lopt(), Perturbations.flat(u.lopt().initTheta(RandomKey.of(0), b)), null, 2, 2);
        UnrollState s = u.init(RandomKey.of(1), th);
        TruncatedUnroll.StepOutput o = u.step(s, RandomKey.of(2), s.params().zerosLike(), u.fused(th));
        assertEquals(o.loss()[0], o.loss()[2], 0, "copies of problem 0 with equal θ see equal data and start");
        assertEquals(o.loss()[1], o.loss()[3], 0);
        assertTrue(o.loss()[0] != o.loss()[1], "problems differ");
    }

    static org.lopt4j.learned.LearnedOptimizer<?> lo4() { return org.lopt4j.learned.LearnedOptimizers.named("small_fc_lopt"); }

    @Test void rejectsMismatchedPopulations() {
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(3), 2, 2, 0, 0, b);
        assertThrows(IllegalArgumentException.class, () -> u.init(RandomKey.of(1), thetas(3)));
        assertThrows(IllegalArgumentException.class, () -> TruncationSchedule.parse("linear:3"));
        assertEquals(new TruncationSchedule.LogUniform(10, 100), TruncationSchedule.parse("loguniform:10:100"));
        int l = new TruncationSchedule.LogUniform(10, 100).sampleLength(RandomKey.of(3));
        assertTrue(l >= 10 && l < 100, "length " + l);
    }

    /** The meta-loss ramp p: step t of an L-step episode emits (1 + p)·(t/L)^p times the unweighted loss; p = 0 is upstream's. */
    @Test void metaLossRampWeighsLaterSteps() {
        int len = 4;
        double[] ps = {1, 2.5};
        TruncatedUnroll plain = new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(len), 2, 1, 0, 0, b);
        for (double p : ps) {
            TruncatedUnroll ramp = plain.withMetaLossRamp(p);
            Slab th = thetas(2);
            UnrollState a = plain.init(RandomKey.of(1), th), r = ramp.init(RandomKey.of(1), th);
            Slab ga = a.params().zerosLike(), gr = r.params().zerosLike();
            for (int t = 0; t < 2 * len + 1; t++) {
                int it = r.iteration()[0];
                boolean reset = r.done()[0];
                double[] la = plain.step(a, RandomKey.of(2).child(t), ga, plain.fused(th)).loss();
                double[] lr = ramp.step(r, RandomKey.of(2).child(t), gr, ramp.fused(th)).loss();
                double w = reset ? 0 : (1 + p) * Math.pow(it / (double) len, p);
                for (int m = 0; m < 2; m++) assertEquals(w * la[m], lr[m], 1e-12 * Math.abs(la[m]), "p " + p + ", step " + t + ", member " + m);
                if (!reset && it > 0) assertTrue(la[0] > 0, "a trained step's loss is weighed, not zeroed");
            }
            double mean = 0;
            for (int t = 0; t < 1000; t++) mean += ramp.stepWeight(t, 1000) / 1000;
            assertEquals(1, mean, 0.01, "the weights average to 1 over an episode");
        }
        assertEquals(1, plain.stepWeight(0, len), 0);
        assertThrows(IllegalArgumentException.class, () -> plain.withMetaLossRamp(-1));
        assertThrows(IllegalArgumentException.class, () -> plain.withMetaLossRamp(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> plain.withMetaLossRamp(Double.POSITIVE_INFINITY));
    }

    /** same_data: the loss of the updated parameters on the step's batch, which training lowers below the default. */
    @Test void metaLossSplits() {
        var t = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
        double[] out = new double[3];
        String[] splits = {"", "same_data", "outer_valid"};
        for (int k = 0; k < 3; k++) {
            TruncatedUnroll u = new TruncatedUnroll(t, lo4(), new TruncationSchedule.Constant(50), 1, 1, 0, 0, b, splits[k]);
            Slab th = Perturbations.population(u.lopt(), Perturbations.flat(u.lopt().initTheta(RandomKey.of(0), b)), null, 1, 1);
            th.flat().assign(th.flat().mul(th.flat().scalar(3)));            // a larger step so the loss moves visibly
            UnrollState s = u.init(RandomKey.of(1), th);
            out[k] = u.step(s, RandomKey.of(2), s.params().zerosLike(), u.fused(th)).loss()[0];
        }
        assertTrue(out[1] != out[0] && out[2] < 3, "same_data differs from the pre-update loss: " + java.util.Arrays.toString(out));
        assertTrue(out[2] != out[1], "a fresh outer_valid batch differs from the training batch");
        assertThrows(IllegalArgumentException.class, () -> new TruncatedUnroll(t, lo4(), new TruncationSchedule.Constant(5), 1, 1, 0, 0, b, "valid"));
    }

    /** A family unroll: each problem on its own quadratic, and a reset draws a new one (a fresh task sample). */
    @Test void familyProblemsHaveTheirOwnTasksAndResetsResample() {
        TaskSampler fam = new TaskSampler(new org.lopt4j.metatrain.task.QuadraticFamily(4, b));
        TruncatedUnroll u = new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(2), 3, 2, 0, 0, b, "", fam);
        Slab th = Perturbations.population(lo, Perturbations.flat(lo.initTheta(RandomKey.of(0), b)), null, 3, 2);
        UnrollState s = u.init(RandomKey.of(1), th);
        int[] keys0 = s.taskKeys().clone();
        float[] x = s.params().flat().toFloatArray();
        TruncatedUnroll.StepOutput o = u.step(s, RandomKey.of(2), s.params().zerosLike(), u.fused(th));
        int size = task.layout().size();
        for (int i = 0; i < 3; i++) {
            QuadraticTask qi = (QuadraticTask) fam.task(new RandomKey(keys0[2 * i], keys0[2 * i + 1]));
            Slab one = Slab.zeros(b, org.lopt4j.tensor.DType.F32, task.layout());
            one.flat().assign(org.lopt4j.tensor.Tensor.of(b, java.util.Arrays.copyOfRange(x, i * size, (i + 1) * size), size));
            assertEquals(qi.loss(one, 1, null)[0], o.loss()[i], 1e-6, "problem " + i + " on its own task");
            assertEquals(o.loss()[i], o.loss()[3 + i], 0, "its antithetic copy on the same task");
        }
        assertTrue(o.loss()[0] != o.loss()[1], "different tasks");
        u.step(s, RandomKey.of(3), s.params().zerosLike(), u.fused(th));                     // done after 2 training steps
        assertArrayEquals(keys0, s.taskKeys(), "no reset yet");
        u.step(s, RandomKey.of(4), s.params().zerosLike(), u.fused(th));                     // the reset step
        for (int i = 0; i < 3; i++) assertTrue(keys0[2 * i] != s.taskKeys()[2 * i] || keys0[2 * i + 1] != s.taskKeys()[2 * i + 1], "problem " + i + " got a new task");
        assertThrows(IllegalArgumentException.class, () -> new TruncatedUnroll(task, lo, new TruncationSchedule.Constant(2), 3, 2, 0, 0, b, "same_data", fam));
    }

    /** An unroll builds its learned optimizer once (θ's packed form, and on a device its upload), not once per inner step. */
    @Test void anUnrollBuildsItsOptimizerOnce() {
        int[] built = {0};
        org.lopt4j.learned.LearnedOptimizer<PerCoordinateSgd.State> counting = new org.lopt4j.learned.LearnedOptimizer<>() {
            @Override public String name() { return lo.name(); }
            @Override public org.lopt4j.tensor.SlabLayout thetaLayout() { return lo.thetaLayout(); }
            @Override public Slab initTheta(RandomKey key, Backend backend) { return lo.initTheta(key, backend); }
            @Override public Class<PerCoordinateSgd.State> stateType() { return lo.stateType(); }
            @Override public org.lopt4j.optim.Optimizer<PerCoordinateSgd.State> optimizer(Slab theta) {
                built[0]++;
                return lo.optimizer(theta);
            }
        };
        TruncatedUnroll u = new TruncatedUnroll(task, counting, new TruncationSchedule.Constant(5), 2, 1, 0, 0, b);
        Slab th = thetas(2);
        UnrollState s = u.init(RandomKey.of(1), th);
        built[0] = 0;
        Trajectory.run(u, s, th, RandomKey.of(2), 12);
        assertEquals(1, built[0], "optimizers built for a 12-step unroll");
    }
}
