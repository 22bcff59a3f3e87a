package org.lopt4j.tensor;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Chooses a backend: every {@link BackendProvider} on the class path, highest rank first, the first whose probe
 * succeeds. {@code -Dlopt4j.backend=scalar|simd|cuda|opencl} forces one by name.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static volatile Backend best;

    private Backends() {}

    /** All providers on the class path, highest rank first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return list;
    }

    /** The backend forced by {@code -Dlopt4j.backend}, else the best one that probes successfully; cached. */
    public static Backend best() {
        Backend b = best;
        if (b == null) {
            synchronized (Backends.class) {
                if (best == null) best = choose(System.getProperty("lopt4j.backend"));
                b = best;
            }
        }
        return b;
    }

    /** The backend of the provider named {@code name}, or an exception saying why it cannot run here. */
    public static Backend named(String name) {
        for (BackendProvider p : providers()) {
            if (p.name().equals(name)) {
                return p.probe().orElseThrow(() -> new IllegalStateException("backend '" + name + "' is not available here"));
            }
        }
        throw new IllegalArgumentException("no backend named '" + name + "'; known: "
                + providers().stream().map(BackendProvider::name).toList());
    }

    /** The CPU reference backend (plain loops, F32 and F64). */
    public static Backend scalar() { return named("scalar"); }

    private static Backend choose(String forced) {
        if (forced != null && !forced.isBlank()) return named(forced.trim());
        for (BackendProvider p : providers()) {
            Optional<Backend> b = p.probe();
            if (b.isPresent()) {
                LOG.log(Level.DEBUG, "lopt4j backend: {0}", b.get().name());
                return b.get();
            }
        }
        throw new IllegalStateException("no lopt4j backend could start (is lopt4j-tensor on the class path?)");
    }
}
