package org.lopt4j.cuda;

import java.util.Optional;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;

/** Provides the CUDA backend (rank 30) when {@link CudaProbe} finds a usable driver and device. */
public final class CudaBackendProvider implements BackendProvider {
    @Override public int rank() { return 30; }
    @Override public String name() { return "cuda"; }
    @Override public Optional<Backend> probe() { return CudaProbe.status().backend().map(b -> b); }
}
