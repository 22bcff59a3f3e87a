package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.BackendProvider;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Device;

/** The probe never crashes, says why it declines, honours the disable switch and leaves the CPU backends working. */
class CudaProbeTest {
    private static final String MISSING = "liblopt4j-no-such-cuda-driver.so.1";

    @Test void disableSwitchIsHonoured() {
        CudaProbe.Status s = CudaProbe.run(new CudaProbe.Config(true, "libcuda.so.1", 0, false));
        assertTrue(s.backend().isEmpty());
        assertTrue(s.reason().contains("lopt4j.cuda.disable"), s.reason());
    }

    @Test void missingDriverIsAReasonNotACrashAndDoesNotPoisonLaterProbes() {
        CudaProbe.Config c = new CudaProbe.Config(false, MISSING, 0, false);
        CudaProbe.Status first = CudaProbe.run(c), second = CudaProbe.run(c);
        assertTrue(first.backend().isEmpty());
        assertTrue(first.reason().contains(MISSING), first.reason());
        // had the probe touched JCudaDriver, the second answer would be a NoClassDefFoundError
        assertEquals(first.reason(), second.reason());
    }

    @Test void statusIsCachedAndEmptyExactlyWhenItSaysWhy() {
        CudaProbe.Status s = CudaProbe.status();
        assertSame(s, CudaProbe.status());
        assertFalse(s.reason().isBlank());
        assertEquals(s.backend().isPresent(), new CudaBackendProvider().probe().isPresent());
        s.backend().ifPresent(b -> assertEquals(new Device.Cuda(b.info().ordinal()), b.device()));
    }

    @Test void withoutTheDriverLibraryTheProbeNamesIt() {
        assumeTrue(CudaProbe.missingLibrary("libcuda.so.1") != null, "this machine has libcuda.so.1");
        assumeTrue(!Boolean.getBoolean("lopt4j.cuda.disable"), "CUDA disabled by property");
        CudaProbe.Status s = CudaProbe.status();
        assertTrue(s.backend().isEmpty());
        assertTrue(s.reason().contains("libcuda.so.1"), s.reason());
        // and a fresh probe with the real configuration still answers the same way (JCuda was never touched)
        assertEquals(s.reason(), CudaProbe.run(CudaProbe.Config.fromSystemProperties()).reason());
    }

    @Test void providerIsRegisteredWithTheTopRank() {
        List<BackendProvider> ps = Backends.providers();
        BackendProvider cuda = ps.stream().filter(p -> p.name().equals("cuda")).findFirst().orElseThrow();
        assertInstanceOf(CudaBackendProvider.class, cuda);
        assertEquals(30, cuda.rank());
        assertSame(cuda, ps.getFirst(), "cuda ranks above every CPU backend");
    }

    @Test void bestFallsBackToACpuBackendWithoutCuda() {
        assumeTrue(CudaProbe.status().backend().isEmpty(), "CUDA is available here");
        assumeTrue(System.getProperty("lopt4j.backend") == null, "backend forced by property");
        assertInstanceOf(Device.Cpu.class, Backends.best().device());
    }
}
