package org.lopt4j.metatrain.outer;

/**
 * Everything an outer loop needs to continue exactly: the next outer step, θ (flat, double), the outer optimizer's
 * state, every estimator's worker state, and the counters (NaN meta-losses replaced, non-finite gradient entries
 * zeroed, outer steps skipped because they would have made θ non-finite, seconds spent). Keys are derived from the seed and the step, so the step is the RNG position.
 */
public record MetaState(int step, double[] theta, OuterOptimizer.State outer, EstimatorState[] workers,
                        long nanLosses, long nonFiniteGrads, long skippedSteps, double seconds) {}
