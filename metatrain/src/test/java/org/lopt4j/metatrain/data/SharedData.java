package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Test helpers: the real datasets in {@code <lopt4j.shared.dir>/data} and small files written by tests. */
final class SharedData {
    private SharedData() {}

    /**
     * The shared data directory; tests that need it are skipped (not failed) when it is absent, e.g. outside the
     * project's workspace. Surefire sets {@code lopt4j.shared.dir} to {@code ../shared} beside the repository.
     */
    static Path dir() {
        Path p = Path.of(System.getProperty("lopt4j.shared.dir", "../../shared"), "data");
        assumeTrue(Files.isDirectory(p), "shared data directory " + p.toAbsolutePath() + " is absent");
        return p;
    }

    /** Big-endian int32s, as an IDX header. */
    static byte[] ints(int... values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(b)) {
            for (int v : values) o.writeInt(v);
        }
        return b.toByteArray();
    }

    /** Concatenation of byte arrays. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    /** Writes {@code content} gzipped to {@code file}. */
    static Path gz(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(file))) { o.write(content); }
        return file;
    }
}
