package org.lopt4j.metatrain.task;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;

/** Quadratics of a fixed dimension with curvatures and centres drawn per task (a test fixture family). */
public record QuadraticFamily(int dim, Backend backend) implements TaskFamily {
    @Override public String name() { return "QuadraticFamily_" + dim; }

    /** The family {@code name} = {@code QuadraticFamily_D} names, or null for any other name. */
    public static QuadraticFamily parse(String name, Backend backend) {
        if (!name.startsWith("QuadraticFamily_")) return null;
        try {
            return new QuadraticFamily(Integer.parseInt(name.substring("QuadraticFamily_".length())), backend);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("task family '" + name + "': expected QuadraticFamily_<dimension>");
        }
    }

    @Override public Task sample(RandomKey key) { return new QuadraticTask(dim, key, backend); }
}
