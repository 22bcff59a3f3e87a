package org.lopt4j.opencl;

import java.util.Optional;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;

/**
 * Provides the OpenCL backend when {@link OpenClProbe} finds a usable device. Rank 5, below SIMD (10): on a machine
 * whose only OpenCL device is the CPU (PoCL) the Vector API backend is faster, so OpenCL is chosen by name
 * ({@code -Dlopt4j.backend=opencl} or {@code Backends.named("opencl")}), or by default only where SIMD cannot start.
 */
public final class OpenClBackendProvider implements BackendProvider {
    /** Below SimdBackendProvider's 10 and above ScalarBackendProvider's 0. */
    static final int RANK = 5;

    @Override public int rank() { return RANK; }
    @Override public String name() { return "opencl"; }
    @Override public Optional<Backend> probe() { return OpenClProbe.status().backend().map(b -> b); }
}
