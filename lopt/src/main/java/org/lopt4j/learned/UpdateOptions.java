package org.lopt4j.learned;

/**
 * How a learned optimizer's update is applied, as PyLO's optimizers take it: {@code lr} scales the step
 * ({@code p ← p − lr·step}); {@code weightDecay} is decoupled and follows the step, on the updated parameters
 * ({@code p ← p − lr·wd·p}); {@code maxGradNorm} clips each parameter tensor's gradient to that norm before any
 * feature (torch's {@code clip_grad_norm_} per tensor, in place; 0 = off). None of them is part of θ.
 */
public record UpdateOptions(double lr, double weightDecay, double maxGradNorm) {
    /** PyLO's defaults: lr 1, no weight decay, no clipping. */
    public static final UpdateOptions NONE = new UpdateOptions(1, 0, 0);

    public UpdateOptions {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("lr must be a finite number above 0, got " + lr);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be a finite number ≥ 0, got " + weightDecay);
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) throw new IllegalArgumentException("max gradient norm must be a finite number ≥ 0 (0 = off), got " + maxGradNorm);
    }

    /** What the update subtracts from each decayed parameter: {@code lr·wd}. */
    public double paramDecay() { return lr * weightDecay; }

    /** For {@code describe()}: empty at the defaults. */
    public String describe() { return equals(NONE) ? "" : ", lr=" + lr + ", weight_decay=" + weightDecay + ", max_grad_norm=" + maxGradNorm; }
}
