package org.lopt4j.metatrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunCache}: a run comes back only for the inputs it was made with, data source included; a corrupt entry is recomputed. */
class RunCacheTest {
    @Test void aRunIsReusedOnlyForItsOwnInputs(@TempDir Path dir) throws Exception {
        RunCache cache = new RunCache(dir);
        AtomicInteger computed = new AtomicInteger();
        java.util.function.IntFunction<Comparison.Run> run = v -> {
            computed.incrementAndGet();
            return new Comparison.Run(new double[] {v, v / 2.0, v / 4.0}, v / 4.0, v / 3.0);
        };
        String embedded = RunCache.data(null), full = RunCache.data(dir.resolve("data"));
        Comparison.Run a = cache.get("T", embedded, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(8));
        Comparison.Run again = cache.get("T", embedded, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(99));
        assertEquals(1, computed.get(), "the same inputs are read back, not trained again");
        assertArrayEquals(a.curve(), again.curve(), 0);
        assertEquals(a.score(), again.score(), 0);

        Comparison.Run other = cache.get("T", full, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(16));
        assertEquals(2, computed.get(), "the task on a data directory is not the task on the embedded data");
        assertEquals(4.0, other.score(), 0);
        assertEquals(2.0, cache.get("T", embedded, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(99)).score(), 0, "and does not replace it");
        cache.get("T", embedded, "adam", 1e-2 + 1e-12, 3, 2, 1000, "simd", () -> run.apply(24));
        cache.get("T", embedded, "adam", 1e-2, 3, 2, 1001, "simd", () -> run.apply(24));
        assertEquals(4, computed.get(), "another learning rate or first seed is another run");

        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.writeString(f, "{\"key\": trunc");
        }
        assertEquals(2.0, cache.get("T", embedded, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(8)).score(), 0);
        assertEquals(5, computed.get(), "a corrupt entry is trained again");
        assertEquals(2.0, cache.get("T", embedded, "adam", 1e-2, 3, 2, 1000, "simd", () -> run.apply(99)).score(), 0, "and rewritten");
    }
}
