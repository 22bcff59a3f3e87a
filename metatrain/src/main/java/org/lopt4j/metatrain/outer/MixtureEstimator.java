package org.lopt4j.metatrain.outer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.tensor.RandomKey;

/**
 * An estimator over a {@link TaskMixture}: each worker trains the task its init key draws (all its problems batched
 * on that one task), so the workers of an outer step, each a unit of the {@link UnitExecutor}, cover the mixture's
 * families; re-creating a worker draws a new task. The task's key travels in the worker state, so a checkpoint or an
 * encoded state rebuilds the same task.
 */
public final class MixtureEstimator implements GradientEstimator {
    private final TaskMixture mixture;
    private final Function<Task, GradientEstimator> build;
    private final String name;
    private final ConcurrentHashMap<RandomKey, GradientEstimator> byTask = new ConcurrentHashMap<>();

    /** {@code build} makes the single-task estimator of a drawn task; {@code name} is that estimator's. */
    public MixtureEstimator(TaskMixture mixture, Function<Task, GradientEstimator> build, String name) {
        this.mixture = mixture;
        this.build = build;
        this.name = name;
    }

    public TaskMixture mixture() { return mixture; }

    /** The estimator of the task drawn from {@code task}. */
    public GradientEstimator forTask(RandomKey task) {
        if (task == null) throw new IllegalArgumentException("a task-mixture worker state carries its task key; this one has none");
        return byTask.computeIfAbsent(task, k -> build.apply(mixture.task(k)));
    }

    @Override public String name() { return name; }

    @Override public EstimatorState init(double[] theta, RandomKey key) {
        RandomKey task = key.child(9);
        return forTask(task).init(theta, key.child(10)).withTask(task);
    }

    @Override public EstimatorState blank(double[] theta, RandomKey task) { return forTask(task).init(theta, RandomKey.of(0)).withTask(task); }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState state) {
        Estimate e = forTask(state.task()).estimate(theta, key, state);
        return new Estimate(e.meanLoss(), e.grad(), e.next().withTask(state.task()));
    }
}
