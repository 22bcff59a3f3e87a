package org.lopt4j.metatrain.outer;

/** What a unit returns: its id, the mean meta-loss, the θ gradient, the next worker state and its run time. */
public record UnitResult(String id, int estimatorId, double meanLoss, double[] grad, EstimatorState next, double seconds) {}
