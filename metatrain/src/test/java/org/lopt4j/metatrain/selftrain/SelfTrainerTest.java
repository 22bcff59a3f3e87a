package org.lopt4j.metatrain.selftrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.MetaState;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/** pbt_selftraining.md §8's checks, exact resume, and the outer rules on small populations. */
class SelfTrainerTest {
    final Backend b = Backends.best();

    /** 3 members, 2 pairs, unrolls of 6 steps, evaluations of 4 steps every 2 outer steps, exploit every 2. */
    static SelfTrainConfig tiny(int outerSteps) {
        return SelfTrainConfig.defaults().with(Map.of("members", 3, "pairs", 2, "unrollLength", 6, "outerSteps", outerSteps, "evalEvery", 2,
                "evalProblems", 1, "evalLength", 4, "exploitEvery", 2, "seed", 5, "checkpointSeconds", 0));
    }

    @Test void oneMemberWithStepMultiplierZeroNeverChangesTheta() throws Exception {
        SelfTrainConfig c = tiny(3).with(Map.of("members", 1, "selection", "none", "stepMultMin", 0, "stepMultMax", 0));
        SelfTrainer t = new SelfTrainer(c, null, b, null);
        SelfTrainState s0 = t.fresh();
        double[] before = s0.members()[0].theta().clone();
        SelfTrainState s = t.run(s0, -1, null);
        assertEquals(3, s.step());
        assertArrayEquals(before, s.members()[0].theta(), 0);
        // the same member with multiplier 1 does move: the check above is not vacuous
        SelfTrainer moving = new SelfTrainer(c.with(Map.of("stepMultMin", 1, "stepMultMax", 1)), null, b, null);
        SelfTrainState m = moving.run(moving.fresh(), -1, null);
        assertNotEquals(0, maxDiff(before, m.members()[0].theta()), "θ moved with multiplier 1");
    }

    @Test void winnerTakeAllCopiesTheBestThetaIntoEverySlotAndTheLineageIsATree() throws Exception {
        SelfTrainer t = new SelfTrainer(tiny(4), null, b, null);
        SelfTrainState s = t.fresh();
        List<SelfTrainer.StepReport> reports = new java.util.ArrayList<>();
        SelfTrainState[] beforeExploit = new SelfTrainState[1];
        while (s.step() < 4) {
            SelfTrainState prev = s;
            s = t.step(s, reports::add);
            if (reports.getLast().exploitSource() != null) { beforeExploit[0] = prev; break; }
        }
        SelfTrainer.StepReport r = reports.getLast();
        assertEquals(1, r.step(), "the first exploit comes after the first evaluation at step 2");
        int winner = argmin(r.value());
        for (int i = 0; i < 3; i++) assertEquals(winner, r.exploitSource()[i], "slot " + i + " copies the winner");
        // every slot holds the winner's θ of this step; hyperparameters were mutated independently
        double[] w = s.members()[winner].theta();
        for (Member m : s.members()) assertArrayEquals(w, m.theta(), 0);
        Set<Hyperparameters> hypers = new HashSet<>();
        for (Member m : s.members()) hypers.add(m.hyper());
        assertEquals(3, hypers.size(), "each copy has its own mutation");
        Generation parent = s.lineage().get(beforeExploit[0].members()[winner].generation());
        for (Member m : s.members()) {
            Generation g = s.lineage().get(m.generation());
            assertEquals(parent.id(), g.parent());
            assertEquals(2, g.startStep());
        }
        assertIsForest(s.lineage(), 3);
        // a longer run keeps a tree through more exploits
        SelfTrainState longer = t.run(s, -1, null);
        assertTrue(longer.lineage().size() >= 9, "two exploits of 3 slots: " + longer.lineage().size());
        assertIsForest(longer.lineage(), 3);
    }

    /** Parents come before children, every parent exists, and only the initial generations are roots. */
    static void assertIsForest(List<Generation> lineage, int roots) {
        int r = 0;
        for (Generation g : lineage) {
            assertEquals(lineage.indexOf(g), g.id(), "ids are positions");
            if (g.parent() < 0) r++;
            else assertTrue(g.parent() < g.id(), "parent " + g.parent() + " of " + g.id() + " comes first");
        }
        assertEquals(roots, r, "roots");
    }

    @Test void truncationReplacesOnlyTheBottomFifth() throws Exception {
        SelfTrainer t = new SelfTrainer(tiny(2).with(Map.of("members", 5, "selection", "truncation")), null, b, null);
        List<SelfTrainer.StepReport> reports = new java.util.ArrayList<>();
        SelfTrainState s = t.run(t.fresh(), -1, reports::add);
        int[] src = reports.getLast().exploitSource();
        double[] v = reports.getLast().value();
        int worst = 0, best = 0;
        for (int i = 1; i < 5; i++) { if (v[i] > v[worst]) worst = i; if (v[i] < v[best]) best = i; }
        for (int i = 0; i < 5; i++) assertEquals(i == worst ? best : -1, src[i], "slot " + i);
        assertEquals(6, s.lineage().size());
    }

    /**
     * With Adam as the outer rule, multiplier 1, one member, no exploit and the θ file, task, unroll and keys of a
     * metatrain run with full ES and one estimator, self-training is that run, bit for bit.
     */
    @Test void adamWithMultiplierOneIsTheMetatrainPathBitForBit(@TempDir Path dir) throws Exception {
        LearnedOptimizer<?> lo = LearnedOptimizers.named("small_fc_lopt");
        Path theta = dir.resolve("init.safetensors");
        LearnedCheckpoint.save(theta, lo, lo.initTheta(RandomKey.of(11), b), null);
        MetaConfig mc = MetaConfig.defaults().with(Map.ofEntries(Map.entry("estimator", "full_es"), Map.entry("truncLength", 3),
                Map.entry("schedule", "constant:9"), Map.entry("problems", 2), Map.entry("estimators", 1), Map.entry("outerSteps", 3),
                Map.entry("outerLr", 3e-3), Map.entry("seed", 9), Map.entry("initTheta", theta.toString()), Map.entry("evalSteps", 10), Map.entry("evalSeeds", 1)));
        MetaState want;
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(1)) {
            MetaTrainer t = new MetaTrainer(Recipe.of(mc, null, b), ex, null);
            want = t.run(t.fresh(), -1, null);
        }
        SelfTrainConfig sc = tiny(3).with(Map.ofEntries(Map.entry("members", 1), Map.entry("outerRule", "adam"), Map.entry("selection", "none"),
                Map.entry("stepMultMin", 1), Map.entry("stepMultMax", 1), Map.entry("task", mc.task()), Map.entry("pairs", 2),
                Map.entry("unrollLength", 9), Map.entry("sigma", mc.sigma()), Map.entry("adamLr", mc.outerLr()), Map.entry("seed", 9),
                Map.entry("initTheta", theta.toString()), Map.entry("evalEvery", 1000)));
        SelfTrainer st = new SelfTrainer(sc, null, b, null);
        SelfTrainState got = st.run(st.fresh(), -1, null);
        assertArrayEquals(want.theta(), got.members()[0].theta(), 0);
        assertNotEquals(0, maxDiff(want.theta(), st.fresh().members()[0].theta()), "θ moved");
    }

    @Test void bestRuleUsesTheBestMembersThetaAndSelfUsesEachOwn() throws Exception {
        SelfTrainConfig c = tiny(4).with(Map.of("selection", "none"));
        SelfTrainer st = new SelfTrainer(c, null, b, null);
        SelfTrainState self = st.run(st.fresh(), -1, null);
        SelfTrainer bt = new SelfTrainer(c.with(Map.of("outerRule", "best")), null, b, null);
        SelfTrainState best = bt.run(bt.fresh(), -1, null);
        // identical until the first evaluation names a best member (steps 0–1), different after it
        SelfTrainState self2 = st.run(st.fresh(), 2, null);
        SelfTrainState best2 = bt.run(bt.fresh(), 2, null);
        for (int i = 0; i < 3; i++) assertArrayEquals(self2.members()[i].theta(), best2.members()[i].theta(), 0, "member " + i + " before any evaluation");
        double d = 0;
        for (int i = 0; i < 3; i++) d = Math.max(d, maxDiff(self.members()[i].theta(), best.members()[i].theta()));
        assertTrue(d > 0, "the best rule changed the updates after the first evaluation");
    }

    @Test void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        for (String rule : List.of("self", "adam")) {
            SelfTrainConfig c = tiny(5).with(Map.of("outerRule", rule));
            SelfTrainer t = new SelfTrainer(c, null, b, null);
            SelfTrainState straight = t.run(t.fresh(), -1, null);
            Path ckpt = dir.resolve(rule + ".safetensors");
            SelfTrainer first = new SelfTrainer(c, null, b, ckpt);
            assertEquals(3, first.run(first.fresh(), 3, null).step());
            SelfTrainer second = new SelfTrainer(c, null, b, ckpt);
            SelfTrainState resumed = second.run(SelfTrainCheckpoint.read(ckpt, second), -1, null);
            assertEquals(straight.lineage(), resumed.lineage(), rule + ": lineage");
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(straight.members()[i].theta(), resumed.members()[i].theta(), 0, rule + ": member " + i);
                assertEquals(straight.members()[i].hyper(), resumed.members()[i].hyper(), rule + ": member " + i);
            }
        }
    }

    @Test void unitsOnThreadsGiveTheRunOfOneBatchedPopulation() throws Exception {
        SelfTrainConfig c = tiny(4);
        List<SelfTrainer.StepReport> whole = new java.util.ArrayList<>();
        SelfTrainer t = new SelfTrainer(c, null, b, null);
        SelfTrainState straight = t.run(t.fresh(), -1, whole::add);
        assertTrue(whole.stream().anyMatch(r -> r.exploitSource() != null), "the run includes an exploit");
        for (int per : new int[] {1, 2}) {
            SelfTrainConfig split = c.with(Map.of("membersPerUnit", per));
            List<SelfTrainer.StepReport> parts = new java.util.ArrayList<>();
            SelfTrainState s;
            try (MemberUnitExecutor ex = MemberUnitExecutor.threads(2)) {
                SelfTrainer u = new SelfTrainer(split, null, b, null, ex);
                s = u.run(u.fresh(), -1, parts::add);
            }
            assertEquals(straight.lineage(), s.lineage(), per + " per unit: lineage");
            for (int k = 0; k < whole.size(); k++) {
                assertArrayEquals(whole.get(k).metaLoss(), parts.get(k).metaLoss(), 0, per + " per unit: meta-losses of step " + k);
                assertArrayEquals(whole.get(k).value(), parts.get(k).value(), 0, per + " per unit: values of step " + k);
            }
            for (int i = 0; i < 3; i++) assertArrayEquals(straight.members()[i].theta(), s.members()[i].theta(), 0, per + " per unit: member " + i);
        }
    }

    @Test void checkpointsRefuseAnotherConfigAndOtherFiles(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("s.safetensors");
        SelfTrainer t = new SelfTrainer(tiny(1), null, b, ckpt);
        t.run(t.fresh(), -1, null);
        SelfTrainer other = new SelfTrainer(tiny(1).with(Map.of("members", 4)), null, b, null);
        assertTrue(assertThrows(java.io.IOException.class, () -> SelfTrainCheckpoint.read(ckpt, other)).getMessage().contains("different config"));
        Path lopt = dir.resolve("lopt.safetensors");
        LearnedCheckpoint.save(lopt, t.lopt(), t.lopt().initTheta(RandomKey.of(1), b), null);
        assertTrue(assertThrows(java.io.IOException.class, () -> SelfTrainCheckpoint.read(lopt, t)).getMessage().contains("not a lopt4j self-training checkpoint"));
        assertThrows(java.io.IOException.class, () -> SelfTrainCheckpoint.read(dir.resolve("none"), t));
    }

    @Test void mlp8SamplesFashionMnistAndMnistOnTheEmbeddedData() {
        TaskFamily f = SelfTrainer.family("mlp8", null);
        Set<String> datasets = new HashSet<>();
        for (int k = 0; k < 40; k++) {
            Task t = f.sample(RandomKey.of(k));
            String dataset = t.name().startsWith("ImageMLP_mnist8_") ? "mnist" : t.name().startsWith("ImageMLP_fashion_mnist8_") ? "fashion_mnist" : t.name();
            if (datasets.add(dataset)) {
                assertEquals(48000, t.examples(Split.TRAIN), t.name());
                assertEquals(10000, t.examples(Split.TEST), t.name());
            }
        }
        assertEquals(Set.of("fashion_mnist", "mnist"), datasets);
    }

    @Test void configsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("memberz", 3)));
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("outerRule", "sgd")));
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("selection", "tournament")));
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("mutate", List.of("lr"))));
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("stepMultMin", 0, "stepMultMax", 1)));
        assertThrows(IllegalArgumentException.class, () -> tiny(1).with(Map.of("members", 0)));
    }

    @Test void selectionAndMutation() {
        assertArrayEquals(new int[] {1, 1, 1}, Selection.WINNER_TAKE_ALL.sources(new double[] {0.5, 0.2, Double.NaN}));
        assertArrayEquals(new int[] {-1, -1, -1}, Selection.NONE.sources(new double[] {0.5, 0.2, 0.1}));
        assertArrayEquals(new int[] {2, 6, -1, -1, -1, -1, -1, -1, -1, -1}, Selection.TRUNCATION.sources(new double[] {5, 4, 0, 3, 2, 1, 0.5, 2.5, 1.5, 3.5}));
        Hyperparameters h = new Hyperparameters(1, 0.01, 50);
        Hyperparameters m = h.mutate(SelfTrainConfig.MUTABLE, 50, RandomKey.of(3));
        assertEquals(m, h.mutate(SelfTrainConfig.MUTABLE, 50, RandomKey.of(3)), "deterministic in the key");
        assertNotEquals(h.stepMult(), m.stepMult());
        assertNotEquals(h.sigma(), m.sigma());
        for (int k = 0; k < 200; k++) {
            Hyperparameters x = new Hyperparameters(90, 0.9, 190).mutate(SelfTrainConfig.MUTABLE, 50, RandomKey.of(k));
            assertTrue(x.stepMult() <= Hyperparameters.MULT_MAX && x.sigma() <= Hyperparameters.SIGMA_MAX && x.unrollLength() <= 200 && x.unrollLength() >= 25, x.toString());
        }
        assertEquals(h, h.mutate(List.of(), 50, RandomKey.of(3)), "nothing named, nothing mutated");
    }

    static int argmin(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] < v[b]) b = i;
        return b;
    }

    static double maxDiff(double[] a, double[] c) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - c[i]));
        return d;
    }
}
