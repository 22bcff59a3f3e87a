package org.lopt4j.tensor.cpu;

import java.util.Optional;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;

/** Provides the scalar reference backend; it always starts. */
public final class ScalarBackendProvider implements BackendProvider {
    @Override public int rank() { return 0; }
    @Override public String name() { return "scalar"; }
    @Override public Optional<Backend> probe() { return Optional.of(ScalarBackend.INSTANCE); }
}
