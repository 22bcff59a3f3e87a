package org.lopt4j.metatrain.outer;

import java.nio.file.Path;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.metatrain.task.QuadraticFamily;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;

/**
 * The parts a {@link MetaConfig} names, built: the task, the learned optimizer ({@link LearnedOptimizers}: its inner
 * updates zero non-finite gradient elements per member instead of skipping the whole population's step) and one
 * estimator. For a task mixture ({@code mix:…}) the estimator is a {@link MixtureEstimator} and the task is the one
 * the run is evaluated on, {@link #MIXTURE_EVAL_TASK}.
 */
public record Recipe(MetaConfig config, Task task, LearnedOptimizer<?> lopt, GradientEstimator estimator, Backend backend) {
    /** Builds the recipe's parts on {@code backend}; {@code dataDir} null = embedded data. */
    public static Recipe of(MetaConfig c, Path dataDir, Backend backend) {
        if (TaskMixture.is(c.task())) {
            if (c.estimator().equals("truncated_grad")) throw new IllegalArgumentException("a task mixture takes pes, tes or full_es, not truncated_grad");
            if (!c.metaLossSplit().isEmpty()) throw new IllegalArgumentException("a task mixture takes the default meta-loss only (metaLossSplit \"\")");
            TaskMixture mix = TaskMixture.parse(c.task(), dataDir, backend);
            LearnedOptimizer<?> lo = LearnedOptimizers.named(c.lopt()).withOptions(c.loptOptions());
            GradientEstimator est = new MixtureEstimator(mix, t -> estimator(c, t, null, lo, backend), c.estimator());
            return new Recipe(c, Tasks.byName(MIXTURE_EVAL_TASK, dataDir), lo, est, backend);
        }
        TaskSampler family = family(c.task(), backend);
        Task task = family != null ? family.task(RandomKey.of(c.seed()).child(7)) : Tasks.byName(c.task(), dataDir);
        LearnedOptimizer<?> lo = LearnedOptimizers.named(c.lopt()).withOptions(c.loptOptions());
        return new Recipe(c, task, lo, estimator(c, task, family, lo, backend), backend);
    }

    /** The task a mixture's run is evaluated on after meta-training (held-out tasks: {@code lopt4j suite}). */
    public static final String MIXTURE_EVAL_TASK = "ImageMLP_FashionMnist8_Relu32";

    /** {@code QuadraticFamily_D}: quadratics of dimension D with curvatures and centres drawn per problem; else null. */
    static TaskSampler family(String name, Backend b) {
        QuadraticFamily f = QuadraticFamily.parse(name, b);
        return f == null ? null : new TaskSampler(f);
    }

    /** The config's device: {@code auto} = the best backend that starts, else the one named. */
    public static Backend backend(MetaConfig c) {
        return c.device().equals("auto") ? org.lopt4j.tensor.Backends.best() : org.lopt4j.tensor.Backends.named(c.device());
    }

    static GradientEstimator estimator(MetaConfig c, Task task, TaskSampler f, LearnedOptimizer<?> lo, Backend b) {
        TruncationSchedule sched = c.truncation();
        return switch (c.estimator()) {
            case "pes" -> new TruncatedPes(new TruncatedUnroll(task, lo, sched, c.problems(), 2, c.initialOffset(), 0, b, c.metaLossSplit(), f)
                    .withMetaLossRamp(c.metaLossRamp()), c.truncLength(), c.sigma(), c.signDelta());
            case "tes" -> new TruncatedEs(new TruncatedUnroll(task, lo, sched, c.problems(), 2, c.initialOffset(), 0, b, c.metaLossSplit(), f)
                    .withMetaLossRamp(c.metaLossRamp()), c.truncLength(), c.sigma(), c.signDelta());
            // a constant length is the planned number of steps the inner optimizer sees (VeLO's and L3RS's time features)
            case "full_es" -> new FullEs(new TruncatedUnroll(task, lo, new TruncationSchedule.NeverEnding(), c.problems(), 2, 0,
                    sched instanceof TruncationSchedule.Constant k ? k.length() : 0, b, c.metaLossSplit(), f), sched,
                    c.truncLength(), c.sigma(), FullEs.LossType.parse(c.lossType()), c.recomputeSamples(), c.clipLossDiff(), c.signDelta());
            case "truncated_grad" -> new TruncatedGrad(new TruncatedUnroll(task, lo, sched, c.problems(), 1, c.initialOffset(), 0, b, c.metaLossSplit(), f), c.truncLength());
            default -> throw new IllegalArgumentException("unknown estimator '" + c.estimator() + "'; known: pes, tes, full_es, truncated_grad");
        };
    }
}
