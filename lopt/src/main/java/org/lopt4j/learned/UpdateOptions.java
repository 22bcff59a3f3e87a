package org.lopt4j.learned;

import java.util.ArrayList;
import java.util.List;

/**
 * How a learned optimizer's update is applied, as PyLO's optimizers take it: {@code lr} scales the step
 * ({@code p ← p − lr·step}); {@code weightDecay} is decoupled and follows the step, on the updated parameters
 * ({@code p ← p − lr·wd·p}); {@code maxGradNorm} clips each parameter tensor's gradient to that norm before any
 * feature (torch's {@code clip_grad_norm_} per tensor, in place; 0 = off). {@code fanInReference} (small_fc_lopt;
 * 0 = off, not PyLO's) scales each weight tensor's step by {@link #fanInScale}: a θ meta-trained on layers of that
 * fan-in keeps its steps in proportion to the weights' initial scale (∝ 1/√fan-in) on wider inputs;
 * {@code fanInMatricesOnly} limits that to matrices (rank 2), leaving conv kernels at θ's own step;
 * {@code fanInLinear} scales by the ratio itself rather than its square root (μP's rule for Adam-like steps on hidden
 * layers: a normalized step moves a layer's output in proportion to its fan-in). None of them is part of θ.
 */
public record UpdateOptions(double lr, double weightDecay, double maxGradNorm, double fanInReference, boolean fanInMatricesOnly,
                            boolean fanInLinear) {
    /** PyLO's defaults: lr 1, no weight decay, no clipping; no fan-in scaling. */
    public static final UpdateOptions NONE = new UpdateOptions(1, 0, 0);

    /** PyLO's three options, without fan-in scaling. */
    public UpdateOptions(double lr, double weightDecay, double maxGradNorm) { this(lr, weightDecay, maxGradNorm, 0); }

    /** PyLO's three options and fan-in scaling of every weight of rank ≥ 2. */
    public UpdateOptions(double lr, double weightDecay, double maxGradNorm, double fanInReference) { this(lr, weightDecay, maxGradNorm, fanInReference, false); }

    /** PyLO's three options and the square-root fan-in scaling, of matrices only or of every weight of rank ≥ 2. */
    public UpdateOptions(double lr, double weightDecay, double maxGradNorm, double fanInReference, boolean fanInMatricesOnly) {
        this(lr, weightDecay, maxGradNorm, fanInReference, fanInMatricesOnly, false);
    }

    public UpdateOptions {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("lr must be a finite number above 0, got " + lr);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be a finite number ≥ 0, got " + weightDecay);
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) throw new IllegalArgumentException("max gradient norm must be a finite number ≥ 0 (0 = off), got " + maxGradNorm);
        if (!(fanInReference >= 0) || Double.isInfinite(fanInReference)) throw new IllegalArgumentException("fan-in reference must be a finite number ≥ 0 (0 = off), got " + fanInReference);
        if (fanInReference == 0 && (fanInMatricesOnly || fanInLinear)) throw new IllegalArgumentException("fanInMatricesOnly and fanInLinear go with a fan-in reference above 0");
    }

    /**
     * Tensor {@code t}'s step factor: {@code min(1, √(fanInReference / fan-in))} for a weight of rank ≥ 2, or
     * {@code min(1, fanInReference / fan-in)} when {@code fanInLinear} (fan-in: the product of all its axes but the
     * last, as weights are stored [in, out] and conv kernels [kh, kw, in, out]); 1 for biases and scalars, for tensors
     * above rank 2 when {@code fanInMatricesOnly}, and when the option is off.
     */
    public float fanInScale(org.lopt4j.tensor.SlabLayout l, int t) {
        org.lopt4j.tensor.Shape s = l.shape(t);
        if (fanInReference == 0 || s.rank() < 2 || s.numel() == 0 || (fanInMatricesOnly && s.rank() > 2)) return 1f;
        double fanIn = (double) s.numel() / s.dim(s.rank() - 1);
        double ratio = fanInReference / fanIn;
        return (float) Math.min(1, fanInLinear ? ratio : Math.sqrt(ratio));
    }

    /** {@link #fanInScale} of every tensor of {@code l}. */
    public float[] fanInScales(org.lopt4j.tensor.SlabLayout l) {
        float[] s = new float[Math.max(1, l.count())];
        for (int t = 0; t < l.count(); t++) s[t] = fanInScale(l, t);
        return s;
    }

    /** What the update subtracts from each decayed parameter: {@code lr·wd}. */
    public double paramDecay() { return lr * weightDecay; }

    /** For {@code describe()}: empty at the defaults. */
    public String describe() {
        return equals(NONE) ? "" : ", lr=" + lr + ", weight_decay=" + weightDecay + ", max_grad_norm=" + maxGradNorm + (fanInReference == 0 ? "" : ", fan_in_reference=" + fanInReference + describeFanIn());
    }

    private String describeFanIn() {
        List<String> how = new ArrayList<>();
        if (fanInLinear) how.add("linear");
        if (fanInMatricesOnly) how.add("matrices only");
        return how.isEmpty() ? "" : " (" + String.join(", ", how) + ")";
    }
}
