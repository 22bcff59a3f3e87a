package org.lopt4j.metatrain.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code metrics.jsonl}: one JSON object per line, each written by one call and flushed, so a row is whole
 * unless the process dies inside that call. A run resumed from a checkpoint first drops the rows of the steps the
 * checkpoint does not hold (written after it, before the run stopped) and everything from a cut line on, so every
 * step appears exactly once. A new log empties an existing file only when its first row is written, so a run that
 * fails before its first step leaves the previous run's log as it was.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final boolean append;
    private OutputStream out;

    private MetricsLog(Path file, boolean append) {
        this.file = file;
        this.append = append;
    }

    /** A new log: an existing file is emptied when the first row is written. */
    public static MetricsLog create(Path file) { return new MetricsLog(file, false); }

    /** The log of a run resuming at outer step {@code step}: rows of steps {@code >= step} are dropped, new rows follow. */
    public static MetricsLog resume(Path file, int step) throws IOException {
        keepRowsBefore(file, step);
        return new MetricsLog(file, true);
    }

    /** The log's path. */
    public Path file() { return file; }

    /** Appends {@code row} as one line; a failure (a full disk) is reported naming the file and the reason. */
    public void append(Map<String, ?> row) {
        try {
            byte[] line = (JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8);
            if (out == null) out = new FileOutputStream(file.toFile(), append);
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + IoErrors.reason(e), e);
        }
    }

    @Override public void close() throws IOException { if (out != null) out.close(); }

    /** Rewrites {@code metrics} (atomically) with the rows of steps before {@code step}, up to the first line that does not parse. */
    static void keepRowsBefore(Path metrics, int step) throws IOException {
        if (!Files.exists(metrics)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) continue;
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (IOException e) {
                break;                                                       // a line cut by a kill: nothing after it was written whole
            }
            if (row == null || !row.has("step")) break;
            if (row.get("step").asInt() < step) keep.add(line);
        }
        AtomicFiles.writeString(metrics, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }
}
