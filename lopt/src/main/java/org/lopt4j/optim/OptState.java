package org.lopt4j.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * An optimizer's whole state as data: the number of applied updates, the number of skipped (non-finite) steps, and
 * named buffers laid out like the parameters (e.g. {@code m}, {@code v}). One state type for every optimizer makes
 * copying, saving and restoring one code path, which population methods (ES, PBT) rely on.
 */
public record OptState(int step, int skipped, Map<String, Slab> slabs) {
    /** Format version written into checkpoints. */
    public static final String FORMAT = "lopt4j-optstate-1";

    public OptState {
        slabs = Map.copyOf(slabs);
    }

    public Slab slab(String name) {
        Slab s = slabs.get(name);
        if (s == null) throw new IllegalArgumentException("optimizer state has no buffer '" + name + "'; has " + slabs.keySet());
        return s;
    }

    /** The state after an applied update (buffers were updated in place). */
    public OptState applied() { return new OptState(step + 1, skipped, slabs); }

    /** The state after a skipped update. */
    public OptState skippedStep() { return new OptState(step, skipped + 1, slabs); }

    /** A deep copy: new buffers. */
    public OptState copy() {
        Map<String, Slab> c = new LinkedHashMap<>();
        slabs.forEach((k, v) -> c.put(k, v.copy()));
        return new OptState(step, skipped, c);
    }

    /** Writes the state and the optimizer's description atomically to a safetensors file. */
    public void save(Path file, String optimizer) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("optimizer", optimizer);
        meta.put("step", Integer.toString(step));
        meta.put("skipped", Integer.toString(skipped));
        meta.put("buffers", String.join(",", new java.util.TreeSet<>(slabs.keySet())));
        SafeTensors.writeSlabs(file, new java.util.TreeMap<>(slabs), meta);
    }

    /**
     * Reads a state saved by {@link #save}; {@code expected} is the state that {@code init} gives for the same
     * parameters (its buffers' layouts and dtypes are checked), and {@code optimizer} must match the saved one.
     */
    public static OptState load(Path file, String optimizer, OptState expected, Backend b) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, b);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not an lopt4j optimizer state (format " + meta.get("format") + ")");
        if (!optimizer.equals(meta.get("optimizer"))) {
            throw new IOException(file + ": saved by optimizer " + meta.get("optimizer") + ", not " + optimizer);
        }
        Map<String, Slab> s = new LinkedHashMap<>();
        for (Map.Entry<String, Slab> e : expected.slabs().entrySet()) {
            SlabLayout l = e.getValue().layout();
            DType d = e.getValue().dtype();
            s.put(e.getKey(), SafeTensors.slab(file, c, e.getKey(), l, d, b));
        }
        return new OptState(Integer.parseInt(meta.get("step")), Integer.parseInt(meta.get("skipped")), s);
    }
}
