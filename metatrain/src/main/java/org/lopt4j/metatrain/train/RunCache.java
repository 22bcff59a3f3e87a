package org.lopt4j.metatrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.lopt4j.metatrain.run.AtomicFiles;

/**
 * Baseline runs kept on disk by what determines them (task, where its data came from, optimizer and its learning rate,
 * steps, seeds, first seed, backend): a run is a pure function of these, so a suite that evaluates another θ reuses its Adam grid instead of
 * training it again. An entry that does not parse, or was made for other inputs, is recomputed and overwritten.
 */
public final class RunCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    /** A cache in {@code dir} (created on first write); null = no cache. */
    public RunCache(Path dir) { this.dir = dir; }

    /**
     * The cached run for these inputs, or {@code compute}'s, written to the cache. {@code data} says where the task's
     * data came from ({@link #data}): a task on a data directory's full files is another task than on the embedded subset.
     */
    public Comparison.Run get(String task, String data, String optimizer, double lr, int steps, int seeds, long seed, String backend,
                              Supplier<Comparison.Run> compute) throws IOException {
        if (dir == null) return compute.get();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("task", task);
        key.put("data", data);
        key.put("optimizer", optimizer);
        key.put("lr", Double.toHexString(lr));
        key.put("steps", steps);
        key.put("seeds", seeds);
        key.put("first_seed", seed);
        key.put("backend", backend);
        Path file = dir.resolve(String.format("%s_%s_%s_lr%.6g_%d_%dx%d_%s.json", task, Integer.toHexString(data.hashCode()), optimizer, lr, steps, seeds, seed, backend)
                .replaceAll("[^A-Za-z0-9._+-]", "_"));
        JsonNode wanted = JSON.readTree(JSON.writeValueAsString(key));   // as read back: numbers take the file's node types
        if (Files.isRegularFile(file)) {
            try {
                JsonNode n = JSON.readTree(file.toFile());
                if (wanted.equals(n.get("key"))) {
                    JsonNode c = n.get("curve");
                    double[] curve = new double[c.size()];
                    for (int i = 0; i < curve.length; i++) curve[i] = value(c.get(i));
                    if (curve.length == steps) return new Comparison.Run(curve, value(n.get("score")), value(n.get("test_loss")));
                }
            } catch (IOException | RuntimeException e) {
                System.err.printf("run cache: %s is unreadable (%s); running it again%n", file, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
            }
        }
        Comparison.Run r = compute.get();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", key);
        json.put("score", Double.isFinite(r.score()) ? r.score() : null);
        json.put("test_loss", Double.isFinite(r.testLoss()) ? r.testLoss() : null);
        json.put("curve", java.util.Arrays.stream(r.curve()).mapToObj(v -> Double.isFinite(v) ? (Object) v : null).toList());
        Files.createDirectories(dir);
        byte[] bytes = JSON.writeValueAsBytes(json);
        AtomicFiles.write(file, o -> o.write(bytes));
        return r;
    }

    /** {@link #get}'s {@code data} for a run on {@code dataDir} (null: the embedded data). */
    public static String data(Path dataDir) { return dataDir == null ? "embedded" : dataDir.toAbsolutePath().normalize().toString(); }

    private static double value(JsonNode n) { return n == null || n.isNull() ? Double.NaN : n.asDouble(); }
}
