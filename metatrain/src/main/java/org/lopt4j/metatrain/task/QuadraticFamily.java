package org.lopt4j.metatrain.task;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;

/** Quadratics of a fixed dimension with curvatures and centres drawn per task (a test fixture family). */
public record QuadraticFamily(int dim, Backend backend) implements TaskFamily {
    @Override public String name() { return "QuadraticFamily_" + dim; }

    @Override public Task sample(RandomKey key) { return new QuadraticTask(dim, key, backend); }
}
