package org.lopt4j.optim;

/**
 * What an update may need besides the gradient: the caller's step index (0 first), the loss at these parameters
 * (VeLO reads it) and the planned number of steps (schedules and learned optimizers read it). Schedules follow the
 * state's own count of applied updates, which skipped steps do not advance; {@code step} is informational.
 */
public record StepInfo(int step, double loss, int numSteps) {
    /** Step index used when the caller does not say. */
    public static final int UNKNOWN_STEP = -1;

    /** No step index, no loss, no plan (a fixed-schedule optimizer needs none). */
    public static final StepInfo NONE = new StepInfo(UNKNOWN_STEP, Double.NaN, 0);

    /** A loss and a plan without a step index. */
    public StepInfo(double loss, int numSteps) { this(UNKNOWN_STEP, loss, numSteps); }
}
