package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.celo2.Celo2;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.opencl.OpenClBackend;
import org.lopt4j.opencl.OpenClBackendProvider;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * A learned step on a device never waits for it: on OpenCL (PoCL in CI), small_fc_lopt, MLPLOpt, VeLO and L3RS steps issue
 * no device-to-host read and no queue wait under the zeroing and the skipping non-finite policies (CELO2 under the zeroing one); θ goes to the device
 * once per (optimizer, state) — at init, or at the first step of a new optimizer on an existing state, as each truncated
 * unroll does — and a step uploads nothing else but VeLO's and L3RS's member losses (4 bytes a member).
 */
@Tag("gpu")
class LearnedStepTransfersTest {
    static final int MEMBERS = 2, STEPS = 4;

    @Test void aLearnedStepOnOpenClReadsNothingBack() {
        OpenClBackend b = (OpenClBackend) LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL");
        SlabLayout l = LearnedDeviceParityTest.layout();
        for (NonFinitePolicy policy : new NonFinitePolicy[] {NonFinitePolicy.ZERO_NONFINITE, NonFinitePolicy.SKIP_AND_COUNT}) {
            for (LearnedOptimizer<?> lo : List.of(new SmallFcLopt(4, 2, 0.1, 0.5, 1, policy), new MlpLopt(new int[] {8, 8}, 0.5, 0.1, policy),
                    new Velo(16, 4, policy), new L3rs(LearnedDeviceParityTest.SHAPES.size(), 8, 1e-2, false, policy))) {
                check(b, l, lo);
            }
        }
        check(b, l, eloCelo2(NonFinitePolicy.ZERO_NONFINITE));             // CELO2's skipping policy decides on the host
    }

    /** ELO-CELO2 (its global norm clip on) under {@code policy}. */
    static Celo2 eloCelo2(NonFinitePolicy policy) {
        Celo2 c = Celo2.eloCelo2();
        return new Celo2(c.variant(), c.hidden(), c.lr(), c.weightDecay(), c.adamLrMult(), c.adamWeightDecay(), true, c.clipNorm(), c.gradClipVal(),
                c.expMult(), policy);
    }

    /**
     * One slab, one launch: a step's kernel launches are a fixed number per optimizer, the same for 2 members of 7
     * tensors as for 3 members of 14. The counts include the gradient-statistics pass (two launches) and, for VeLO, the
     * tensor ops of its LSTM and per-tensor network, which run over all tensors and members at once.
     */
    @Test void aLearnedStepsLaunchesDoNotGrowWithTensorsOrMembers() {
        OpenClBackend b = (OpenClBackend) LearnedDeviceParityTest.device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL");
        NonFinitePolicy policy = NonFinitePolicy.SKIP_AND_COUNT;
        record Expected(LearnedOptimizer<?> lo, long launches) {}
        for (Expected e : List.of(new Expected(new SmallFcLopt(4, 2, 0.1, 0.5, 1, policy), 8),
                new Expected(new MlpLopt(new int[] {8, 8}, 0.5, 0.1, policy), 6), new Expected(new Velo(16, 4, policy), 66))) {
            assertEquals(e.launches(), launchesPerStep(b, e.lo(), 2, 1), e.lo() + ": launches per step, 2 members × 7 tensors");
            assertEquals(e.launches(), launchesPerStep(b, e.lo(), 3, 2), e.lo() + ": launches per step, 3 members × 14 tensors");
        }
        // L3RS is made for one model's tensor count: a model of 7 tensors, then one of 14; the statistics pass, then
        // accumulate, per-layer MLP and apply
        int seven = LearnedDeviceParityTest.SHAPES.size();
        assertEquals(5, launchesPerStep(b, new L3rs(seven, 8, 1e-2, false, policy), 2, 1), "l3rs: launches per step, 2 members × 7 tensors");
        assertEquals(5, launchesPerStep(b, new L3rs(2 * seven, 8, 1e-2, false, policy), 3, 2), "l3rs: launches per step, 3 members × 14 tensors");
        // CELO2: the statistics pass (2), global norm clip (2), clip, accumulate, row means, feature sums, block scales,
        // MLP, Newton-Schulz (17), step sums, block scales, apply
        Celo2 celo2 = eloCelo2(NonFinitePolicy.ZERO_NONFINITE);
        assertEquals(30, launchesPerStep(b, celo2, 2, 1), "elo_celo2: launches per step, 2 members × 7 tensors");
        assertEquals(30, launchesPerStep(b, celo2, 3, 2), "elo_celo2: launches per step, 3 members × 14 tensors");
    }

    /** Launches of one step (after the first) on {@code members} members, each {@code copies} × the parity shapes. */
    private static <S extends OptState<S>> long launchesPerStep(OpenClBackend b, LearnedOptimizer<S> lo, int members, int copies) {
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            for (int c = 0; c < copies; c++) {
                for (int i = 0; i < LearnedDeviceParityTest.SHAPES.size(); i++) {
                    names.add("m" + m + "/c" + c + "/t" + i);
                    shapes.add(LearnedDeviceParityTest.SHAPES.get(i));
                }
            }
        }
        SlabLayout l = SlabLayout.of(names, shapes);
        Optimizer<S> opt = lo.optimizer(lo.population(lo.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE), members));
        Slab p = LearnedDeviceParityTest.random(b, DType.F32, l, 1), g = LearnedDeviceParityTest.random(b, DType.F32, l, 2);
        double[] losses = new double[members];
        Arrays.fill(losses, 2.0);
        S s = opt.update(opt.init(p), p, g, new StepInfo(0, 2.0, 100, losses, null));
        OpenClBackend.Transfers before = b.transfers();
        opt.update(s, p, g, new StepInfo(1, 2.0, 100, losses, null));
        return b.transfers().since(before).launches();
    }

    private static <S extends OptState<S>> void check(OpenClBackend b, SlabLayout l, LearnedOptimizer<S> lo) {
        String what = lo + " on " + b.name();
        Slab theta = lo.population(lo.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE), MEMBERS);
        Slab p = LearnedDeviceParityTest.random(b, DType.F32, l, 1);
        Slab[] g = new Slab[STEPS];
        for (int t = 0; t < STEPS; t++) g[t] = LearnedDeviceParityTest.random(b, DType.F32, l, 10 + t);
        g[2].flat().slice(0, 5, 6, 1).fill(Double.NaN);                      // one step with a non-finite gradient
        Optimizer<S> opt = lo.optimizer(theta);
        S s = opt.init(p);
        b.sync();
        OpenClBackend.Transfers before = b.transfers();
        for (int t = 0; t < STEPS; t++) s = opt.update(s, p, g[t], new StepInfo(t, 2.0 - 0.1 * t, 100, new double[] {2.0, 1.5}, null));
        OpenClBackend.Transfers steps = b.transfers().since(before);
        assertEquals(0, steps.reads(), what + ": blocking reads in " + STEPS + " steps");
        assertEquals(0, steps.syncs(), what + ": queue waits in " + STEPS + " steps");
        long losses = lo instanceof Velo || lo instanceof L3rs ? STEPS : 0;
        assertEquals(losses, steps.uploads(), what + ": uploads in " + STEPS + " steps (only VeLO's and L3RS's losses)");
        assertEquals(losses * MEMBERS * Float.BYTES, steps.uploadBytes(), what + ": bytes uploaded");
        // a new optimizer (a new unroll's θ) on the same state: θ goes up once, at its first step, then never again
        Optimizer<S> next = lo.optimizer(lo.population(lo.initTheta(RandomKey.of(4), ScalarBackend.INSTANCE), MEMBERS));
        before = b.transfers();
        s = next.update(s, p, g[0], new StepInfo(0, 1.0, 100, new double[] {1.0, 1.0}, null));
        OpenClBackend.Transfers first = b.transfers().since(before);
        before = b.transfers();
        s = next.update(s, p, g[1], new StepInfo(1, 1.0, 100, new double[] {1.0, 1.0}, null));
        OpenClBackend.Transfers second = b.transfers().since(before);
        assertTrue(first.uploadBytes() >= 4L * MEMBERS * lo.thetaLayout().paramCount() / 2, what + ": θ went up with the first step: " + first);
        assertEquals(losses == 0 ? 0 : MEMBERS * Float.BYTES, second.uploadBytes(), what + ": and not again: " + second);
        assertEquals(0, first.reads() + second.reads(), what + ": no reads");
        // the skipped step is counted on the device and read only when asked
        int skipped = s.skipped();
        assertEquals(lo.toString().contains("SKIP") ? 1 : 0, skipped, what + ": skipped steps");
    }
}
