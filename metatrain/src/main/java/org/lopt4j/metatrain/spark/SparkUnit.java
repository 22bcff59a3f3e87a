package org.lopt4j.metatrain.spark;

import java.io.Serializable;

/**
 * A unit of work as Spark ships it: its position in the outer step, its id, the outer step and estimator id, the
 * call's key (two ints: seeds, never noise) and the encoded worker state it continues from. θ travels separately, once
 * per outer step, as a broadcast.
 */
public record SparkUnit(int index, String id, int step, int estimatorId, int k0, int k1, byte[] state) implements Serializable {}
