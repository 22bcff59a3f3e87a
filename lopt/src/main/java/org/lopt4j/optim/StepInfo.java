package org.lopt4j.optim;

/**
 * What an update may need besides the gradient: the loss at these parameters (VeLO reads it) and the planned number
 * of steps (schedules and learned optimizers read it).
 */
public record StepInfo(double loss, int numSteps) {
    /** No loss and no plan (a fixed-schedule optimizer needs neither). */
    public static final StepInfo NONE = new StepInfo(Double.NaN, 0);
}
