package org.lopt4j.metatrain.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run directory is held by one run at a time; --out must be a writable directory; a lock file left behind is no lock. */
class RunLockTest {
    @TempDir Path dir;

    @Test void aSecondRunOnTheSameDirectoryIsRefusedUntilTheFirstEnds() throws IOException {
        Path out = dir.resolve("run");
        try (RunLock first = RunLock.acquire(out, "train")) {
            assertTrue(Files.readString(out.resolve(RunLock.FILE)).startsWith("process " + ProcessHandle.current().pid() + " (lopt4j train"));
            String m = assertThrows(IOException.class, () -> RunLock.acquire(out.resolve("../run"), "eval")).getMessage();
            assertTrue(m.contains("is in use"), m);
            try (RunLock other = RunLock.acquire(dir.resolve("other"), "eval")) {
                assertEquals(dir.resolve("other").toRealPath(), other.dir());
            }
        }
        try (RunLock again = RunLock.acquire(out, "train")) {                  // released on close; the file left behind is no lock
            assertTrue(Files.exists(out.resolve(RunLock.FILE)));
        }
    }

    @Test void aFileOrAnUnwritableDirectoryIsRefusedSayingSo() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals("--out " + file + " is a file, not a directory", assertThrows(IOException.class, () -> RunLock.acquire(file, "train")).getMessage());
        String m = assertThrows(IOException.class, () -> RunLock.acquire(file.resolve("sub"), "train")).getMessage();
        assertTrue(m.startsWith("--out " + file.resolve("sub") + ": cannot create the directory"), m);
        Path ro = Files.createDirectory(dir.resolve("ro"));
        assertTrue(ro.toFile().setWritable(false));
        try {
            if (Files.isWritable(ro)) return;                                  // running as root: nothing is read-only
            m = assertThrows(IOException.class, () -> RunLock.acquire(ro, "train")).getMessage();
            assertEquals("--out " + ro + " is not writable (permission denied)", m);
        } finally {
            ro.toFile().setWritable(true);
        }
    }
}
