package org.lopt4j.optim;

/**
 * What an update may need besides the gradient: the caller's step index (0 first), the loss at these parameters
 * (VeLO reads it) and the planned number of steps (schedules and learned optimizers read it). Schedules follow the
 * state's own count of applied updates, which skipped steps do not advance; {@code step} is informational.
 * <p>
 * Population training may also give each member its own loss ({@code memberLosses}) and its own iteration count
 * ({@code memberSteps}, for members whose episodes restart at different times); either is null when not given, and
 * then every member uses {@code loss} and the state's own counter.
 */
public record StepInfo(int step, double loss, int numSteps, double[] memberLosses, int[] memberSteps) {
    /** Step index used when the caller does not say. */
    public static final int UNKNOWN_STEP = -1;

    /** No step index, no loss, no plan (a fixed-schedule optimizer needs none). */
    public static final StepInfo NONE = new StepInfo(UNKNOWN_STEP, Double.NaN, 0);

    /** One loss for all members and the state's own counter. */
    public StepInfo(int step, double loss, int numSteps) { this(step, loss, numSteps, null, null); }

    /** A loss and a plan without a step index. */
    public StepInfo(double loss, int numSteps) { this(UNKNOWN_STEP, loss, numSteps); }

    /** Member {@code m}'s loss: its own when given, else the shared one. */
    public double lossOf(int m) { return memberLosses == null ? loss : memberLosses[m]; }

    /** Member {@code m}'s iteration count: its own when given, else {@code stateStep}. */
    public int stepOf(int m, int stateStep) { return memberSteps == null ? stateStep : memberSteps[m]; }

    /** The per-member arrays must cover exactly {@code members} members. */
    public void checkMembers(int members) {
        if (memberLosses != null && memberLosses.length != members)
            throw new IllegalArgumentException("StepInfo has " + memberLosses.length + " member losses for " + members + " members");
        if (memberSteps != null && memberSteps.length != members)
            throw new IllegalArgumentException("StepInfo has " + memberSteps.length + " member steps for " + members + " members");
    }
}
