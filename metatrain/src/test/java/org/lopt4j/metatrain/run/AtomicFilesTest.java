package org.lopt4j.metatrain.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is replaced whole or not at all, and a failure names the path and the reason. */
class AtomicFilesTest {
    @TempDir Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("summary.txt");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of(f), listing());
        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        assertEquals(List.of(f), listing());
    }

    @Test void aMissingDirectoryIsNamed() {
        Path f = dir.resolve("gone/summary.txt");
        assertEquals("cannot write " + f + ": no such file or directory", assertThrows(IOException.class, () -> AtomicFiles.writeString(f, "x")).getMessage());
    }
}
