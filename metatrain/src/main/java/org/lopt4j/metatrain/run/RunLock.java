package org.lopt4j.metatrain.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A run's hold on its output directory ({@code --out}), taken before anything in it is touched: the directory is
 * checked to be a writable directory (created when missing), and an OS file lock on {@code lopt4j.lock} in it is held
 * until {@link #close}. A second run on the same directory is refused with the holder's process id and command. The
 * OS drops the lock when its process ends, however it ends, so a killed run leaves no stale lock (the file stays,
 * unlocked, and names the last holder).
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name inside a run directory. */
    public static final String FILE = "lopt4j.lock";

    /**
     * Directories locked by this JVM. POSIX drops every lock a process holds on a file when any of its channels on
     * that file closes, so a second run in the same JVM must be refused before it opens the file.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Checks and locks {@code out} for a run of {@code command} (e.g. {@code "metatrain"}). */
    public static RunLock acquire(Path out, String command) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IOException("--out " + out + " is a file, not a directory");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IOException("--out " + out + ": cannot create the directory (" + IoErrors.reason(e) + ")", e);
        }
        Path key = out.toRealPath();
        if (!HELD.add(key)) throw new IOException("--out " + out + " is in use by another run in this process; choose another --out");
        FileChannel ch;
        try {
            ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            HELD.remove(key);
            throw new IOException("--out " + out + " is not writable (" + IoErrors.reason(e) + ")", e);
        }
        try {
            FileLock l = ch.tryLock();
            if (l == null) throw new IOException("--out " + out + " is in use by " + holder(ch) + "; wait for it to end or choose another --out");
            String me = "process " + ProcessHandle.current().pid() + " (lopt4j " + command + ", since " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")";
            try {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(false);
            } catch (IOException e) {
                throw new IOException("--out " + out + ": cannot write " + FILE + " (" + IoErrors.reason(e) + ")", e);
            }
            return new RunLock(key, ch, l);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            ch.close();
            throw e;
        }
    }

    /** What the holder wrote into the lock file. */
    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.read(b, 0);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "another process" : s;
    }

    /** The locked directory. */
    public Path dir() { return dir; }

    @Override public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(dir);
        }
    }
}
