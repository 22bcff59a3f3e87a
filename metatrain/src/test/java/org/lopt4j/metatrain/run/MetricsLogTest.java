package org.lopt4j.metatrain.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every step once after a resume, and a new run keeps the old log until its first row. */
class MetricsLogTest {
    @TempDir Path dir;

    @Test void resumeDropsTheRowsAfterTheCheckpointAndACutLine() throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\":0,\"member\":0}\n{\"step\":0,\"member\":1}\n{\"step\":1}\n{\"step\":2}\n{\"step\":3,\"lo");
        try (MetricsLog log = MetricsLog.resume(f, 2)) {
            assertEquals(List.of("{\"step\":0,\"member\":0}", "{\"step\":0,\"member\":1}", "{\"step\":1}"), Files.readAllLines(f));
            log.append(Map.of("step", 2));
        }
        assertEquals(List.of("{\"step\":0,\"member\":0}", "{\"step\":0,\"member\":1}", "{\"step\":1}", "{\"step\":2}"), Files.readAllLines(f));
        Files.writeString(f, "{\"step\":0}\n{\"step\":5}\n{\"step\":1}\n");
        MetricsLog.resume(f, 3).close();                                   // rows are dropped by step, wherever they are
        assertEquals(List.of("{\"step\":0}", "{\"step\":1}"), Files.readAllLines(f));
    }

    @Test void aNewLogEmptiesTheOldOneOnlyWithItsFirstRow() throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\":0,\"loss\":1.5}\n");
        try (MetricsLog log = MetricsLog.create(f)) {
            assertEquals("{\"step\":0,\"loss\":1.5}\n", Files.readString(f));
            log.append(Map.of("step", 0));
        }
        assertEquals("{\"step\":0}\n", Files.readString(f));
    }
}
