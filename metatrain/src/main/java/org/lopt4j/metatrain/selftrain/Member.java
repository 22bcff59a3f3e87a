package org.lopt4j.metatrain.selftrain;

/**
 * One population slot: its θ (flat, double), hyperparameters, the outer rule's state, the generation it belongs to
 * and the step that generation started, and its latest evaluation ({@code NaN} before the generation's first).
 */
public record Member(double[] theta, Hyperparameters hyper, OuterRule.State outer, int generation, int generationStart, double value) {
    /** A deep copy. */
    public Member copy() { return new Member(theta.clone(), hyper, outer.copy(), generation, generationStart, value); }
}
