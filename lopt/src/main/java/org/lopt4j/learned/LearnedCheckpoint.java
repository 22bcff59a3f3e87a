package org.lopt4j.learned;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * A learned optimizer's θ, optionally with an optimizer state, in one safetensors file: tensors {@code theta/<name>}
 * and {@code state/<buffer>/<tensor>}, metadata {@code format}, {@code architecture} (the learned optimizer's record,
 * hyperparameters included), {@code step} and {@code skipped}. Written atomically with a checksum of the data;
 * loading verifies it, checks the architecture and every name, shape and dtype (listing all mismatches), and refuses
 * a θ with a non-finite value.
 */
public final class LearnedCheckpoint {
    /** Format version. */
    public static final String FORMAT = "lopt4j-learned-1";

    private LearnedCheckpoint() {}

    /** What a checkpoint holds; {@code state} is null when none was asked for. */
    public record Contents<S>(Slab theta, S state) {}

    /** Writes θ and, when given, the optimizer state's buffers and counters. */
    public static void save(Path file, LearnedOptimizer<?> lo, Slab theta, OptState<?> state) throws IOException {
        Map<String, Slab> roles = new LinkedHashMap<>();
        roles.put("theta", theta);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("architecture", lo.toString());
        if (state != null) {
            new java.util.TreeMap<>(state.buffers()).forEach((k, v) -> roles.put("state/" + k, v));
            meta.put("step", Integer.toString(state.step()));
            meta.put("skipped", Integer.toString(state.skipped()));
            meta.put("buffers", String.join(",", new java.util.TreeSet<>(state.buffers().keySet())));
        }
        SafeTensors.writeSlabs(file, roles, meta, true);
    }

    /**
     * Loads θ (checked against {@code lo}'s layout) and, when {@code expectedState} is given (what {@code init} returns
     * for the same parameters), the state checked against it: its buffers are filled in place and it comes back with
     * the saved counters.
     */
    public static <S extends OptState<S>> Contents<S> load(Path file, LearnedOptimizer<?> lo, S expectedState, Backend b) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, b);
        Map<String, String> meta = c.metadata();
        List<String> problems = new ArrayList<>();
        if (!FORMAT.equals(meta.get("format"))) problems.add("format " + meta.get("format") + ", expected " + FORMAT);
        if (!lo.toString().equals(meta.get("architecture"))) problems.add("architecture " + meta.get("architecture") + ", expected " + lo);
        if (!problems.isEmpty()) throw new IOException(file + ": " + String.join("; ", problems));
        Slab theta = requireFinite(file, "theta", SafeTensors.slab(file, c, "theta", lo.thetaLayout(), DType.F32, b));
        if (expectedState == null) return new Contents<>(theta, null);
        if (meta.get("step") == null) throw new IOException(file + ": holds no optimizer state");
        Map<String, Slab> s = new LinkedHashMap<>();
        for (var e : expectedState.buffers().entrySet()) {
            s.put(e.getKey(), SafeTensors.slab(file, c, "state/" + e.getKey(), e.getValue().layout(), e.getValue().dtype(), b));
        }
        for (var e : expectedState.buffers().entrySet()) e.getValue().flat().assign(s.get(e.getKey()).flat().to(e.getValue().backend()));
        Map<String, Integer> counters = new LinkedHashMap<>(expectedState.counters());
        counters.put("step", Integer.parseInt(meta.get("step")));
        counters.put("skipped", Integer.parseInt(meta.get("skipped")));
        return new Contents<>(theta, expectedState.withCounters(counters));
    }

    /**
     * {@code theta} (read from role {@code role} of {@code file}) if every value is finite; otherwise the error names
     * the first tensor holding NaN or ±∞, how many such values it holds and where the first one is.
     */
    public static Slab requireFinite(Path file, String role, Slab theta) throws IOException {
        for (int i = 0; i < theta.layout().count(); i++) {
            double[] v = theta.tensor(i).toDoubleArray();
            int first = -1, bad = 0;
            for (int j = 0; j < v.length; j++) {
                if (!Double.isFinite(v[j])) {
                    if (first < 0) first = j;
                    bad++;
                }
            }
            if (bad > 0) {
                throw new IOException(file + ": tensor '" + role + "/" + theta.layout().names().get(i) + "' holds " + bad + " non-finite value"
                        + (bad == 1 ? "" : "s") + " (" + v[first] + " at index " + first + "); a learned optimizer's θ must be finite");
            }
        }
        return theta;
    }
}
