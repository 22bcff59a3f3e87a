package org.lopt4j.metatrain.data;

import org.lopt4j.tensor.Tensor;

/** One minibatch: inputs (images NHWC or token ids) and targets (labels or next tokens). */
public record Batch(Tensor x, Tensor y) {}
