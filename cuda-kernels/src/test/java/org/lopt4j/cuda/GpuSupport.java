package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The CUDA backend for a GPU test: skips with the probe's reason, or fails when -Dlopt4j.gpu.required=true. */
final class GpuSupport {
    private GpuSupport() {}

    static CudaBackend backendOrSkip() {
        CudaProbe.Status s = CudaProbe.status();
        if (s.backend().isPresent()) return s.backend().get();
        if (Boolean.getBoolean("lopt4j.gpu.required")) fail("a GPU is required (-Dlopt4j.gpu.required=true) but: " + s.reason());
        return Assumptions.abort("no usable GPU: " + s.reason());
    }
}
