package org.lopt4j.metatrain.outer;

import java.util.List;

/**
 * Runs the units of work of one outer step (one estimator call each) and returns their results in the units' order.
 * Units are idempotent (a unit run twice gives the same result), so an engine may retry or duplicate them; the default
 * is {@link ThreadPoolUnitExecutor}; a distributed engine implements the same interface.
 */
public interface UnitExecutor extends AutoCloseable {
    /** Runs every unit; results in the order of {@code units}. A unit's exception fails the whole call. */
    List<UnitResult> runAll(List<EstimatorUnit> units);

    /** Short description for logs. */
    String describe();

    @Override default void close() {}
}
