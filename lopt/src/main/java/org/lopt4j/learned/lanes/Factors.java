package org.lopt4j.learned.lanes;

import org.lopt4j.optim.FactoredDims;

/** A tensor's factoring and, when factored, its per-step row and column factors per decay (null otherwise). */
public record Factors(FactoredDims f, double[][] rowFac, double[][] colFac) {}
