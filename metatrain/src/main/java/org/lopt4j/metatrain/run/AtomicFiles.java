package org.lopt4j.metatrain.run;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written whole or not at all: the content goes to a temporary file beside the target, is forced to disk and
 * renamed over the target in one step. A failure (a full disk, a read-only directory, a failing writer) removes the
 * temporary file, leaves an existing target as it was, and is reported as one line naming the path and the reason.
 */
public final class AtomicFiles {
    /** Writes a file's content. */
    @FunctionalInterface
    public interface Content { void writeTo(OutputStream out) throws IOException; }

    private AtomicFiles() {}

    /** Replaces {@code file} by what {@code content} writes. */
    public static void write(Path file, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean created = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                created = true;
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UncheckedIOException e) {
            if (created) deleteQuietly(tmp, e);
            throw new IOException("cannot write " + file + ": " + IoErrors.reason(e), e);
        } catch (RuntimeException | Error e) {
            if (created) deleteQuietly(tmp, e);
            throw e;
        }
    }

    /** Replaces {@code file} by {@code text} in UTF-8. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void deleteQuietly(Path tmp, Throwable failure) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException x) {
            failure.addSuppressed(x);
        }
    }
}
