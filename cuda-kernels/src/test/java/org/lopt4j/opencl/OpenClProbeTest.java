package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.BackendProvider;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Device;

/** The probe never crashes, says why it declines, honours its configuration and never outranks the SIMD backend. */
class OpenClProbeTest {
    private static final String MISSING = "liblopt4j-no-such-opencl-loader.so.1";

    @Test void disableSwitchIsHonoured() {
        OpenClProbe.Config c = OpenClProbe.Config.defaults();
        OpenClProbe.Status s = OpenClProbe.run(new OpenClProbe.Config(true, c.library(), c.types(), 0));
        assertTrue(s.backend().isEmpty());
        assertTrue(s.reason().contains("lopt4j.opencl.disable"), s.reason());
    }

    @Test void missingLoaderIsAReasonNotACrashAndDoesNotPoisonLaterProbes() {
        OpenClProbe.Config c = new OpenClProbe.Config(false, MISSING, List.of(OpenClProbe.DeviceType.GPU), 0);
        OpenClProbe.Status first = OpenClProbe.run(c), second = OpenClProbe.run(c);
        assertTrue(first.backend().isEmpty());
        assertTrue(first.reason().contains(MISSING), first.reason());
        // had the probe touched JOCL's CL class, the second answer would be a NoClassDefFoundError
        assertEquals(first.reason(), second.reason());
        assertEquals(OpenClProbe.status().backend().isPresent(), new OpenClBackendProvider().probe().isPresent(),
                "the real probe still answers");
    }

    @Test void statusIsCachedAndEmptyExactlyWhenItSaysWhy() {
        OpenClProbe.Status s = OpenClProbe.status();
        assertSame(s, OpenClProbe.status());
        assertFalse(s.reason().isBlank());
        assertEquals(s.backend().isPresent(), new OpenClBackendProvider().probe().isPresent());
        s.backend().ifPresent(b -> assertEquals(new Device.OpenCl(b.info().platform(), b.info().index()), b.device()));
    }

    @Test void configurationPicksDevicesByTypeAndOrdinal() {
        OpenClBackend found = OpenClSupport.backendOrSkip();
        OpenClProbe.Config d = OpenClProbe.Config.defaults();
        assertEquals(List.of(OpenClProbe.DeviceType.GPU, OpenClProbe.DeviceType.CPU), d.types(), "GPUs before CPUs");
        OpenClProbe.Status tooFar = OpenClProbe.run(new OpenClProbe.Config(false, d.library(), d.types(), 99));
        assertTrue(tooFar.backend().isEmpty());
        assertTrue(tooFar.reason().contains("99 requested"), tooFar.reason());
        OpenClProbe.DeviceType own = OpenClProbe.DeviceType.valueOf(found.info().type());
        OpenClProbe.Status onlyOwnType = OpenClProbe.run(new OpenClProbe.Config(false, d.library(), List.of(own), 0));
        assertTrue(onlyOwnType.backend().isPresent(), onlyOwnType.reason());
        assertEquals(found.info().name(), onlyOwnType.backend().get().info().name());
        assertThrows(IllegalArgumentException.class, () -> new OpenClProbe.Config(false, d.library(), List.of(), 0));
    }

    @Test void providerIsRegisteredBelowSimd() {
        List<BackendProvider> ps = Backends.providers();
        BackendProvider opencl = ps.stream().filter(p -> p.name().equals("opencl")).findFirst().orElseThrow();
        assertInstanceOf(OpenClBackendProvider.class, opencl);
        assertEquals(5, opencl.rank());
        BackendProvider simd = ps.stream().filter(p -> p.name().equals("simd")).findFirst().orElseThrow();
        assertTrue(ps.indexOf(simd) < ps.indexOf(opencl), "simd is tried before opencl: " + ps.stream().map(BackendProvider::name).toList());
        if (System.getProperty("lopt4j.backend") == null && simd.probe().isPresent()) {
            assertFalse(Backends.best().name().startsWith("opencl"), "a CPU-only machine keeps the SIMD backend by default");
        }
    }
}
