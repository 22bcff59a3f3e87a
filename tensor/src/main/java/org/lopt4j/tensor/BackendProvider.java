package org.lopt4j.tensor;

import java.util.Optional;

/** Finds one backend through {@link java.util.ServiceLoader}; higher rank is preferred. */
public interface BackendProvider {
    /** Preference order: CUDA 30, SIMD 10, OpenCL 5 (a fallback, below SIMD on a CPU device), scalar 0. */
    int rank();

    /** Short name used by {@code -Dlopt4j.backend}, e.g. "scalar", "simd", "cuda", "opencl". */
    String name();

    /** Starts the backend, or returns empty (after logging one line with the reason) when it cannot run here. */
    Optional<Backend> probe();
}
