package org.lopt4j.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * Optimizer state checkpoints: one safetensors file with tensors {@code <buffer>/<tensor name>} and metadata
 * {@code format}, {@code optimizer} (its name), {@code hyperparameters} (its full description), {@code buffers} and
 * one {@code counter/<name>} per counter. Written atomically; reading checks format, optimizer, hyperparameters and
 * every buffer's names, shapes and dtype, listing all mismatches.
 */
public final class StateFile {
    /** Format version written into checkpoints. */
    public static final String FORMAT = "lopt4j-optstate-2";

    private StateFile() {}

    /** Writes {@code state} of {@code optimizer} to {@code file}. */
    public static <S extends OptState<S>> void save(Path file, Optimizer<S> optimizer, S state) throws IOException {
        Map<String, Slab> buffers = new TreeMap<>(state.buffers());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("optimizer", optimizer.name());
        meta.put("hyperparameters", optimizer.describe());
        meta.put("buffers", String.join(",", buffers.keySet()));
        state.counters().forEach((k, v) -> meta.put("counter/" + k, Integer.toString(v)));
        SafeTensors.writeSlabs(file, buffers, meta, true);
    }

    /**
     * Reads a state saved by {@link #save} into the buffers of {@code fresh} (what {@code optimizer.init} returns for
     * the same parameters; its buffers are overwritten) and returns it with the saved counters.
     */
    public static <S extends OptState<S>> S load(Path file, Optimizer<S> optimizer, S fresh) throws IOException {
        Map<String, Slab> buffers = new TreeMap<>(fresh.buffers());             // checked in name order: Map.of iterates per-JVM
        SafeTensors.Contents c = SafeTensors.read(file, buffers.isEmpty() ? org.lopt4j.tensor.Backends.best() : buffers.values().iterator().next().backend());
        Map<String, String> meta = c.metadata();
        List<String> problems = new ArrayList<>();
        expect(problems, meta, "format", FORMAT);
        expect(problems, meta, "optimizer", optimizer.name());
        expect(problems, meta, "hyperparameters", optimizer.describe());
        expect(problems, meta, "buffers", String.join(",", new TreeMap<>(buffers).keySet()));
        Map<String, Integer> counters = new LinkedHashMap<>();
        for (String k : fresh.counters().keySet()) {
            String v = meta.get("counter/" + k);
            try {
                counters.put(k, Integer.parseInt(v));
            } catch (NumberFormatException e) {
                problems.add("counter '" + k + "' is " + v);
            }
        }
        if (!problems.isEmpty()) throw new IOException(file + ": not a state of " + optimizer.describe() + ": " + String.join("; ", problems));
        for (Map.Entry<String, Slab> e : buffers.entrySet()) {
            Slab want = e.getValue();
            e.getValue().flat().assign(SafeTensors.slab(file, c, e.getKey(), want.layout(), want.dtype(), want.backend()).flat());
        }
        return fresh.withCounters(counters);
    }

    private static void expect(List<String> problems, Map<String, String> meta, String key, String want) {
        String got = meta.get(key);
        if (!want.equals(got)) problems.add(key + " is " + got + ", expected " + want);
    }
}
