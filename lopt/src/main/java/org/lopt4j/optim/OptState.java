package org.lopt4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Slab;

/**
 * What every optimizer state record offers, so that copying (ES, PBT) and checkpoints are one code path: integer
 * counters, the named buffers, a deep copy, and the same state with other counters.
 *
 * @param <S> the implementing record
 */
public interface OptState<S extends OptState<S>> {
    /** Number of applied updates. */
    int step();

    /** Number of steps skipped because of non-finite gradients. */
    int skipped();

    /** Every buffer by a stable name (what a checkpoint stores); optional buffers that are absent are left out. */
    Map<String, Slab> buffers();

    /** A deep copy: new buffers with the same contents, same counters. */
    S copy();

    /** This state with the given counters (buffers shared); the keys are those of {@link #counters()}. */
    S withCounters(Map<String, Integer> counters);

    /** Every integer counter by name; at least {@code step} and {@code skipped}. */
    default Map<String, Integer> counters() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("step", step());
        c.put("skipped", skipped());
        return c;
    }

    /** The state after an applied update: step + 1. */
    default S applied() { return with("step", step() + 1); }

    /** The state after a skipped update: skipped + 1. */
    default S skip() { return with("skipped", skipped() + 1); }

    private S with(String counter, int value) {
        Map<String, Integer> c = new LinkedHashMap<>(counters());
        c.put(counter, value);
        return withCounters(c);
    }

    /** Counter {@code name} of {@code counters}, with a clear error when it is missing. */
    static int counter(Map<String, Integer> counters, String name) {
        Integer v = counters.get(name);
        if (v == null) throw new IllegalArgumentException("optimizer state counters lack '" + name + "': " + counters);
        return v;
    }
}
