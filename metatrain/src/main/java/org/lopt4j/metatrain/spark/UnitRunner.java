package org.lopt4j.metatrain.spark;

import java.io.Serializable;

/** Runs one shipped unit at θ inside a Spark task (serializable, so it travels to the executors). */
@FunctionalInterface
public interface UnitRunner extends Serializable {
    SparkResult run(SparkUnit unit, double[] theta);
}
