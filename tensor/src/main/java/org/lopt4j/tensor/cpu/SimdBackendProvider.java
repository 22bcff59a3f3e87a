package org.lopt4j.tensor.cpu;

import java.lang.System.Logger.Level;
import java.util.Optional;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;

/**
 * Provides the SIMD backend at the hardware's preferred width, or at {@code -Dlopt4j.simd.bits=128|256|512}
 * ({@code 0} turns SIMD off, leaving the scalar backend).
 */
public final class SimdBackendProvider implements BackendProvider {
    private static final System.Logger LOG = System.getLogger(SimdBackendProvider.class.getName());

    @Override public int rank() { return 10; }
    @Override public String name() { return "simd"; }

    @Override public Optional<Backend> probe() {
        if ("0".equals(System.getProperty("lopt4j.simd.bits", "").trim())) {
            LOG.log(Level.INFO, "lopt4j: SIMD backend off (-Dlopt4j.simd.bits=0)");
            return Optional.empty();
        }
        try {
            return Optional.of(SimdBackend.INSTANCE);
        } catch (IllegalArgumentException | ExceptionInInitializerError e) {
            LOG.log(Level.INFO, "lopt4j: SIMD backend off: " + e);
            return Optional.empty();
        } catch (LinkageError e) {
            LOG.log(Level.INFO, "lopt4j: SIMD backend off: the jdk.incubator.vector module is missing (" + e + ")");
            return Optional.empty();
        }
    }
}
