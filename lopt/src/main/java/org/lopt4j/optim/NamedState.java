package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * A state as counters plus named buffers, for optimizers whose buffers are many and alike (the learned optimizers'
 * moment banks); hand-designed optimizers have their own records.
 */
public record NamedState(int step, int skipped, Map<String, Slab> slabs) implements OptState<NamedState> {
    public NamedState {
        slabs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(slabs));
    }

    /** The buffer called {@code name}. */
    public Slab slab(String name) {
        Slab s = slabs.get(name);
        if (s == null) throw new IllegalArgumentException("optimizer state has no buffer '" + name + "'; has " + slabs.keySet());
        return s;
    }

    @Override public Map<String, Slab> buffers() { return slabs; }

    @Override public NamedState copy() {
        Map<String, Slab> c = new LinkedHashMap<>();
        slabs.forEach((k, v) -> c.put(k, v.copy()));
        return new NamedState(step, skipped, c);
    }

    @Override public NamedState withCounters(Map<String, Integer> c) {
        return new NamedState(OptState.counter(c, "step"), OptState.counter(c, "skipped"), slabs);
    }
}
