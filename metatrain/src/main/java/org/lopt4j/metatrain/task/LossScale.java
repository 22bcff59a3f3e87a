package org.lopt4j.metatrain.task;

/**
 * The Adam-envelope normalization of a task's meta-loss (tasks.md §5): a loss is mapped affinely so that the task's
 * initial loss is 1 and the loss LR-tuned Adam reaches within the horizon is 0, so that tasks of different scale (a
 * cross-entropy near 2, an autoencoder's error near 0.02) weigh alike in a mixture's mean.
 *
 * @param initial the loss at initialization
 * @param adam    the loss of the Adam envelope at the horizon
 */
public record LossScale(double initial, double adam) {
    public LossScale {
        if (!(Double.isFinite(initial) && Double.isFinite(adam) && initial > adam)) {
            throw new IllegalArgumentException("a loss scale needs finite initial > Adam loss, got " + initial + " and " + adam);
        }
    }

    /** {@code (l − adam) / (initial − adam)}. */
    public double apply(double loss) { return (loss - adam) / (initial - adam); }

    /** The scale of the envelope {@code steps}/{@code losses} (a monotone curve) at {@code horizon} steps. */
    public static LossScale ofEnvelope(double[] steps, double[] losses, double horizon) {
        int i = 1;
        while (i < steps.length - 1 && steps[i] < horizon) i++;
        double f = Math.min(1, Math.max(0, (horizon - steps[i - 1]) / (steps[i] - steps[i - 1])));
        return new LossScale(losses[0], losses[i - 1] + f * (losses[i] - losses[i - 1]));
    }
}
