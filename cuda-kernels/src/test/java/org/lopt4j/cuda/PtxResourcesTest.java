package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every kernel's PTX is on the classpath, starts with its source hash and defines the entry point. */
class PtxResourcesTest {
    @Test void everyKernelHasItsPtx() throws IOException {
        for (KernelSpec k : Kernels.ALL) {
            String ptx;
            try (InputStream in = PtxResourcesTest.class.getResourceAsStream(k.ptxResource())) {
                assertNotNull(in, "missing resource " + k.ptxResource());
                ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            String first = ptx.lines().findFirst().orElse("");
            assertTrue(first.matches("// src-sha256: [0-9a-f]{64}"), k.ptxResource() + " starts with: " + first);
            assertTrue(ptx.contains(".visible .entry " + k.name() + "("), k.ptxResource() + " lacks entry " + k.name());
            assertTrue(ptx.contains(".target sm_80"), k.ptxResource() + " is not compute_80 PTX");
        }
    }
}
