package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/** The outer loop: averaging, NaN handling, checkpoints that resume exactly, corrupt checkpoints. */
class MetaTrainerTest {
    /**
     * Resumed vs uninterrupted θ: bit for bit. Everything a run depends on is restored exactly, keys derive from the
     * step, and the SIMD kernels give the same bits in every JIT tier (VecMath), so there is no tolerance.
     */
    static final double RESUME_TOL = 0;

    final Backend b = Backends.best();

    static MetaConfig tiny(int outerSteps) {
        return MetaConfig.defaults().with(java.util.Map.of("truncLength", 5, "schedule", "constant:12", "initialOffset", 12, "problems", 1,
                "estimators", 2, "outerSteps", outerSteps, "seed", 7, "evalSteps", 10, "evalSeeds", 1, "checkpointSeconds", 0));
    }

    @Test void averagesUnitsAndReplacesNonFiniteValues() throws Exception {
        MetaConfig c = tiny(1);
        Recipe base = Recipe.of(c, null, b);
        int n = base.lopt().thetaLayout().size();
        GradientEstimator fixed = new GradientEstimator() {
            @Override public String name() { return "fixed"; }
            @Override public EstimatorState init(double[] theta, RandomKey key) { return EstimatorState.NONE; }
            @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState s) {
                boolean first = key.equals(RandomKey.of(c.seed()).child(2).fold(0).child(0));
                double[] g = new double[n];
                java.util.Arrays.fill(g, first ? 1 : Double.NaN);
                return new Estimate(first ? 0.5 : Double.NaN, g, s);
            }
        };
        Recipe r = new Recipe(c, base.task(), base.lopt(), fixed, b);
        java.util.List<MetaTrainer.StepReport> reports = new java.util.ArrayList<>();
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            MetaTrainer t = new MetaTrainer(r, ex, null);
            MetaState s0 = t.fresh(), s1 = t.run(s0, -1, reports::add);
            assertEquals((0.5 + MetaTrainer.NAN_LOSS) / 2, reports.get(0).metaLoss(), 1e-12);
            assertEquals(1, s1.nanLosses());
            assertEquals(n, s1.nonFiniteGrads());
            for (int j = 0; j < n; j++) assertEquals(s0.theta()[j] - c.outerLr(), s1.theta()[j], 1e-6, "θ[" + j + "] took one Adam step on ĝ = 0.5");
        }
    }

    @Test void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        resumes(tiny(4), dir);
    }

    /** The same on a task family, whose problems' task samples are part of the state. */
    @Test void resumedFamilyRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        resumes(tiny(4).with(java.util.Map.of("task", "QuadraticFamily_6", "problems", 3)), dir);
    }

    /** The same over a task mixture: each worker's task key is part of the state, and re-created workers draw new tasks. */
    @Test void resumedMixtureRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        MetaConfig c = tiny(4).with(java.util.Map.of("task", "mix:mlp_family,mlp_ae_family", "estimators", 3, "resampleFrequency", 2));
        resumes(c, dir);
        Recipe r = Recipe.of(c, null, b);
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            MetaTrainer t = new MetaTrainer(r, ex, null);
            MetaState s = t.fresh();
            java.util.Set<RandomKey> tasks = new java.util.HashSet<>();
            for (int k = 0; k < 4; k++) {
                for (EstimatorState w : s.workers()) tasks.add(w.task());
                s = t.run(s, 1, null);
            }
            assertTrue(tasks.size() > 3, "re-created workers drew new tasks: " + tasks.size() + " task keys over 4 steps of 3 workers");
            byte[] enc = StateCodec.encode(s.workers()[0]);
            EstimatorState dec = StateCodec.decode(enc, r, s.theta());
            assertEquals(s.workers()[0].task(), dec.task());
            assertEquals(java.util.Arrays.toString(s.workers()[0].unroll().params().flat().toFloatArray()),
                    java.util.Arrays.toString(dec.unroll().params().flat().toFloatArray()), "an encoded worker state rebuilds its own task's parameters");
        }
    }

    void resumes(MetaConfig c, Path dir) throws Exception {
        Recipe r = Recipe.of(c, null, b);
        MetaState straight;
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            MetaTrainer t = new MetaTrainer(r, ex, null);
            straight = t.run(t.fresh(), -1, null);
        }
        Path ckpt = dir.resolve(MetaCheckpoint.FILE);
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(1)) {
            MetaTrainer t = new MetaTrainer(r, ex, ckpt);
            MetaState half = t.run(t.fresh(), 2, null);
            assertEquals(2, half.step());
        }
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(2)) {
            MetaTrainer t = new MetaTrainer(Recipe.of(c, null, b), ex, ckpt);
            MetaState resumed = t.run(MetaCheckpoint.read(ckpt, r), -1, null);
            assertEquals(4, resumed.step());
            for (int j = 0; j < straight.theta().length; j++) {
                assertEquals(straight.theta()[j], resumed.theta()[j], RESUME_TOL, "θ[" + j + "] after resume");
            }
            assertEquals(straight.outer().applied(), resumed.outer().applied());
            for (int e = 0; e < straight.workers().length; e++) {
                UnrollState a = straight.workers()[e].unroll(), z = resumed.workers()[e].unroll();
                assertEquals(java.util.Arrays.toString(a.iteration()) + java.util.Arrays.toString(a.optStep()) + java.util.Arrays.toString(a.length()),
                        java.util.Arrays.toString(z.iteration()) + java.util.Arrays.toString(z.optStep()) + java.util.Arrays.toString(z.length()));
            }
        }
        // θ is readable in the learned optimizer's own layout
        assertEquals(r.lopt().thetaLayout(), MetaCheckpoint.theta(ckpt, r.lopt(), b).layout());
    }

    @Test void checkpointForAnotherConfigOrCorruptIsRefused(@TempDir Path dir) throws Exception {
        MetaConfig c = tiny(1);
        Recipe r = Recipe.of(c, null, b);
        Path ckpt = dir.resolve(MetaCheckpoint.FILE);
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(1)) {
            MetaTrainer t = new MetaTrainer(r, ex, ckpt);
            t.run(t.fresh(), -1, null);
        }
        assertEquals(1, MetaCheckpoint.read(ckpt, Recipe.of(tiny(5), null, b)).step());     // a finished run may be extended
        Recipe other = Recipe.of(tiny(1).with(java.util.Map.of("seed", 8)), null, b);
        var e = assertThrows(java.io.IOException.class, () -> MetaCheckpoint.read(ckpt, other));
        assertTrue(e.getMessage().contains("different config: seed 7 in the checkpoint, 8 now"), e.getMessage());
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length - 3] ^= 0x40;                                   // one bit of the last tensor's data
        Files.write(ckpt, bytes);
        assertTrue(assertThrows(java.io.IOException.class, () -> MetaCheckpoint.read(ckpt, r)).getMessage().contains("data section fails its checksum"));
        Files.write(ckpt, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(java.io.IOException.class, () -> MetaCheckpoint.read(ckpt, r));
        assertThrows(java.io.IOException.class, () -> MetaCheckpoint.read(dir.resolve("missing.safetensors"), r));
    }

    /** {@code metaLossRamp} reaches the recipe's PES unroll, and is refused where no truncated episode is weighed. */
    @Test void metaLossRampReachesTheUnrollsAndIsCheckedInTheConfig() {
        MetaConfig c = tiny(1).with(java.util.Map.of("metaLossRamp", 1.5));
        GradientEstimator e = Recipe.of(c, null, org.lopt4j.tensor.Backends.best()).estimator();
        assertEquals(1.5, ((TruncatedPes) e).unroll().metaLossRamp(), 0);
        assertEquals(0, ((TruncatedPes) Recipe.of(tiny(1), null, org.lopt4j.tensor.Backends.best()).estimator()).unroll().metaLossRamp(), 0);
        for (var bad : java.util.List.of(java.util.Map.of("metaLossRamp", -1.0), java.util.Map.of("metaLossRamp", Double.POSITIVE_INFINITY),
                java.util.Map.of("metaLossRamp", 1.0, "estimator", "full_es"), java.util.Map.of("metaLossRamp", 1.0, "estimator", "truncated_grad")))
            assertThrows(IllegalArgumentException.class, () -> tiny(1).with(bad), bad.toString());
    }

    /** {@code adamStart} gives VeLO the Adam-like θ drawn from the run key; other learned optimizers, and a θ file beside it, are refused. */
    @Test void adamStartSetsVelosInitialTheta() throws Exception {
        MetaConfig c = tiny(1).with(java.util.Map.of("lopt", "velo_small", "adamStart", 6.0));
        Recipe r = Recipe.of(c, null, b);
        try (ThreadPoolUnitExecutor ex = new ThreadPoolUnitExecutor(1)) {
            double[] got = new MetaTrainer(r, ex, null).fresh().theta();
            double[] want = Perturbations.flat(org.lopt4j.learned.velo.VeloAdamStart.theta((org.lopt4j.learned.velo.Velo) r.lopt(), 6,
                    org.lopt4j.learned.velo.VeloAdamStart.NOISE, RandomKey.of(c.seed()).child(0), b));
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got);
            double[] haiku = Perturbations.flat(r.lopt().initTheta(RandomKey.of(c.seed()).child(0), b));
            assertTrue(!java.util.Arrays.equals(haiku, got), "the Adam start is Haiku's init");
        }
        for (var bad : java.util.List.of(java.util.Map.of("adamStart", 6.0), java.util.Map.of("lopt", "velo_small", "adamStart", -1.0),
                java.util.Map.of("lopt", "velo_small", "adamStart", Double.POSITIVE_INFINITY),
                java.util.Map.of("lopt", "velo_small", "adamStart", 6.0, "initTheta", "lopt.safetensors")))
            assertThrows(IllegalArgumentException.class, () -> tiny(1).with(bad), bad.toString());
    }
}
