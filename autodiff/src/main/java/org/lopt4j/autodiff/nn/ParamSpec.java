package org.lopt4j.autodiff.nn;

import org.lopt4j.tensor.Shape;

/** One named parameter a module declares: its full path (e.g. {@code mlp/~/linear_0/w}), shape and initializer. */
public record ParamSpec(String name, Shape shape, Init init) {}
