package org.lopt4j.metatrain.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.optim.Ciao;
import org.lopt4j.optim.CiaoFeatures;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * CIAO under a trained LHOPT policy, as an ordinary optimizer: every {@code innerSteps} updates the policy reads the
 * observation of {@link LhoptObservation} (the block's mean CIAO features and training loss, their CDFs over the
 * blocks so far, the hyperparameters against their start, the register, the progress = steps / planned steps), and its
 * most likely action per head works the restart register (a load puts the saved parameters back into the model) and
 * changes CIAO's hyperparameters. Without planned steps in {@link StepInfo} the progress uses the episode length the
 * policy was trained on.
 */
public final class LhoptOptimizer implements Optimizer<LhoptOptimizer.State> {
    private final ActorCritic net;
    private final Slab policy;
    private final EwmaNormalizer normalizer;
    private final int innerSteps, trainedSteps;
    private final boolean rich;

    private LhoptOptimizer(ActorCritic net, Slab policy, double[] normalizer, int innerSteps, int trainedSteps, boolean rich) {
        this.net = net;
        this.policy = policy;
        this.rich = rich;
        this.normalizer = EwmaNormalizer.lhopt(LhoptObservation.size(rich));   // the trained statistics, applied without updates
        this.normalizer.restore(normalizer);
        this.innerSteps = innerSteps;
        this.trainedSteps = trainedSteps;
    }

    /** The policy lopt4j ships: the default {@code lopt4j lhopt train} run (RESULTS.md, LHOPT). */
    public static final String SHIPPED = "/org/lopt4j/metatrain/lhopt/policy.safetensors";

    /** The shipped policy. */
    public static LhoptOptimizer shipped() throws IOException {
        Path tmp = java.nio.file.Files.createTempFile("lopt4j-lhopt", ".safetensors");
        try (java.io.InputStream in = LhoptOptimizer.class.getResourceAsStream(SHIPPED)) {
            if (in == null) throw new IOException("the shipped LHOPT policy " + SHIPPED + " is missing from the class path");
            java.nio.file.Files.write(tmp, in.readAllBytes());
            return load(tmp);
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    /** The policy of an {@code lhopt train} checkpoint. */
    public static LhoptOptimizer load(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, ScalarBackend.INSTANCE);
        if (!LhoptTrainer.FORMAT.equals(c.metadata().get("format"))) {
            throw new IOException(file + ": not an LHOPT policy (format " + c.metadata().get("format") + "; expected " + LhoptTrainer.FORMAT + ")");
        }
        LhoptConfig cfg = LhoptConfig.fromJson(c.metadata().get("config"));
        boolean rich = cfg.richObservation();
        ActorCritic net = LhoptTrainer.net(cfg);
        Slab policy = SafeTensors.slab(file, c, "policy", net.model().layout(), DType.F32, ScalarBackend.INSTANCE);
        Slab n = SafeTensors.slab(file, c, "normalizer", SlabLayout.of(List.of("values"), List.of(Shape.of(1 + 2 * LhoptObservation.size(rich)))),
                DType.F64, ScalarBackend.INSTANCE);
        return new LhoptOptimizer(net, policy, n.tensor(0).toDoubleArray(), cfg.innerSteps(), cfg.outerSteps() * cfg.innerSteps(), rich);
    }

    /**
     * CIAO's state and hyperparameters (at the start and now), the policy's recurrent state, the block's feature sums,
     * count and loss sum, the first training loss, the observation history, the restart register (null when empty:
     * parameters, CIAO's state and hyperparameters, and the register's observation) and the steps taken.
     */
    public record State(Ciao.State ciao, Ciao start, Ciao now, double[] h, double[] c, double[] featureSum, int featureCount, double lossSum,
                        double firstLoss, LhoptObservation history, Saved saved, int step, int skipped) implements OptState<State> {
        @Override public Map<String, Slab> buffers() { return ciao.buffers(); }

        @Override public State copy() {
            return new State(ciao.copy(), start, now, h.clone(), c.clone(), featureSum.clone(), featureCount, lossSum, firstLoss, history,
                    saved == null ? null : saved.copy(), step, skipped);
        }

        @Override public State withCounters(Map<String, Integer> counters) {
            return new State(ciao, start, now, h, c, featureSum, featureCount, lossSum, firstLoss, history, saved,
                    OptState.counter(counters, "step"), OptState.counter(counters, "skipped"));
        }
    }

    /** What the restart register holds. */
    public record Saved(Slab params, Ciao.State ciao, Ciao hyper, LhoptObservation.Register register) {
        Saved copy() { return new Saved(params.copy(), ciao.copy(), hyper, register); }
    }

    @Override public State init(Slab params) {
        Ciao c = Ciao.lhopt();
        return new State(c.init(params), c, c, new double[net.hidden()], new double[net.hidden()], new double[CiaoFeatures.COUNT], 0, 0, Double.NaN,
                LhoptObservation.start(rich), null, 0, 0);
    }

    @Override public State update(State s, Slab params, Slab grads, StepInfo info) {
        Ciao.State cs = s.now().update(s.ciao(), params, grads, info);
        double first = Double.isNaN(s.firstLoss()) ? info.loss() : s.firstLoss();
        double[] sum = s.featureSum().clone();
        int count = s.featureCount();
        if (cs.features() != null) {
            for (int q = 0; q < sum.length; q++) sum[q] += cs.features()[q];
            count++;
        }
        double lossSum = s.lossSum() + info.loss();
        int step = s.step() + 1;
        if (step % innerSteps != 0) return new State(cs, s.start(), s.now(), s.h(), s.c(), sum, count, lossSum, first, s.history(), s.saved(), step, s.skipped());
        double[] features = new double[sum.length];
        for (int q = 0; q < sum.length; q++) features[q] = count == 0 ? 0 : sum[q] / count;
        int planned = info.numSteps() > 0 ? info.numSteps() : trainedSteps;
        double progress = Math.min(1, (double) step / planned), blockLoss = lossSum / innerSteps;
        // the basic observation's loss is the step's training loss, the rich one's the block's mean (as in LhoptEnv)
        LhoptObservation.Next next = s.history().next(progress, features, rich ? blockLoss : info.loss(), first, s.now(), s.start(),
                s.saved() == null ? LhoptObservation.Register.EMPTY : s.saved().register());
        double[] obs = next.vector();
        int[] action = new int[net.actionSizes().length];
        double[] h2, c2;
        try (Tape t = new Tape(); Tape.NoGrad ng = t.noGrad()) {
            Params p = net.model().bind(t, policy);
            LstmCell.State st = new LstmCell.State(t.constant(Tensor.of(ScalarBackend.INSTANCE, s.h(), 1, s.h().length).to(DType.F32)),
                    t.constant(Tensor.of(ScalarBackend.INSTANCE, s.c(), 1, s.c().length).to(DType.F32)));
            ActorCritic.Out out = net.step(p, t.constant(Tensor.of(ScalarBackend.INSTANCE, normalizer.apply(obs), 1, obs.length).to(DType.F32)), st);
            for (int k = 0; k < action.length; k++) {
                double[] l = Nn.logSoftmax(out.logits().get(k).value(), -1).toDoubleArray();
                for (int i = 1; i < l.length; i++) if (l[i] > l[action[k]]) action[k] = i;
            }
            h2 = out.state().h().value().toDoubleArray();
            c2 = out.state().c().value().toDoubleArray();
        }
        // the action works the register, then moves the hyperparameters, before the next block (as in LhoptEnv.step)
        Ciao hyper = s.now();
        Saved saved = s.saved();
        int r = rich ? action[action.length - 1] : LhoptEnv.KEEP;
        if (r == LhoptEnv.SAVE) {
            saved = new Saved(params.copy(), cs.copy(), hyper, new LhoptObservation.Register(true, blockLoss, progress));
        } else if (r == LhoptEnv.LOAD && saved != null) {
            params.flat().assign(saved.params().flat());
            cs = saved.ciao().copy();
            hyper = saved.hyper();
        }
        Ciao moved = CiaoActions.apply(hyper, java.util.Arrays.copyOf(action, CiaoActions.HEADS.length));
        return new State(cs, s.start(), moved, h2, c2, new double[sum.length], 0, 0, first, next.history(), saved, step, s.skipped());
    }

    @Override public String name() { return "lhopt"; }

    @Override public String describe() { return "lhopt(CIAO under a policy of width " + net.hidden() + ", acting every " + innerSteps + " steps)"; }
}
