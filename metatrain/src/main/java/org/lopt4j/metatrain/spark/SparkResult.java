package org.lopt4j.metatrain.spark;

import java.io.Serializable;

/** What a Spark task returns for one unit: small, plain values (the next state encoded). */
public record SparkResult(int index, String id, int estimatorId, double meanLoss, double[] grad, byte[] next, double seconds)
        implements Serializable {}
