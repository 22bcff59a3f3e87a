package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The OpenCL backend for a device test: skips with the probe's reason, or fails when -Dlopt4j.opencl.required=true. */
final class OpenClSupport {
    private OpenClSupport() {}

    /** Whether this run demands a working OpenCL device (CI sets it; PoCL is installed there). */
    static boolean required() { return Boolean.getBoolean("lopt4j.opencl.required"); }

    static OpenClBackend backendOrSkip() {
        OpenClProbe.Status s = OpenClProbe.status();
        if (s.backend().isPresent()) return s.backend().get();
        if (required()) fail("an OpenCL device is required (-Dlopt4j.opencl.required=true) but: " + s.reason());
        return Assumptions.abort("no usable OpenCL device: " + s.reason());
    }
}
