package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Device;

/**
 * The real switch, end to end: the build runs this class again in a JVM started with -Dlopt4j.cuda.disable=true
 * (surefire execution "cuda-disabled"), where the cached probe must decline, even on a GPU machine, and
 * Backends.best() must be a CPU backend. In the ordinary test JVM it is skipped.
 */
class CudaDisabledTest {
    @Test void disablePropertyTurnsCudaOffAndBestFallsBackToTheCpu() {
        assumeTrue(Boolean.getBoolean("lopt4j.cuda.disable"), "runs in the JVM started with -Dlopt4j.cuda.disable=true");
        CudaProbe.Status s = CudaProbe.status();
        assertTrue(s.backend().isEmpty(), "probe declined");
        assertTrue(s.reason().contains("lopt4j.cuda.disable"), s.reason());
        assertTrue(new CudaBackendProvider().probe().isEmpty());
        assertInstanceOf(Device.Cpu.class, Backends.best().device());
    }
}
