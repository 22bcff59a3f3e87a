package org.lopt4j.metatrain.gpt.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * G.pt's checkpoint dataset on disk and in memory: a directory with {@code manifest.json} (format, net, recipe,
 * runs, split, cleaning, {@code coeff}, shards with their size and CRC-32C) and shards {@code shard-NNNNN.safetensors}
 * holding, for their runs, {@code theta [runs, K, P]} F32 (raw: users multiply by {@code coeff}), {@code iteration}
 * I32 and {@code train_loss}, {@code train_err}, {@code test_loss}, {@code test_err} F64 {@code [runs, K]}, and
 * {@code run} I32 {@code [runs]} (each run's index, its seed). Only cleaned runs are stored; the last
 * {@code heldOut} of them are the test split. Runs here are numbered 0…runs()−1 in stored order.
 */
public final class CheckpointDataset {
    /** The manifest's format name and version. */
    public static final String FORMAT = "lopt4j-gpt-checkpoints";
    public static final int VERSION = 1;
    public static final String MANIFEST = "manifest.json";

    private final TaskNet net;
    private final CheckpointRecipe recipe;
    private final Checkpoints data;
    private final int heldOut;
    private final double coeff;

    private CheckpointDataset(TaskNet net, CheckpointRecipe recipe, Checkpoints data, int heldOut, double coeff) {
        this.net = net;
        this.recipe = recipe;
        this.data = data;
        this.heldOut = heldOut;
        this.coeff = coeff;
    }

    public TaskNet net() { return net; }
    public CheckpointRecipe recipe() { return recipe; }
    /** Scale of the stored vectors for the generative model, {@code 0.538/σ}. */
    public double coeff() { return coeff; }
    public int runs() { return data.runs(); }
    public int checkpointsPerRun() { return data.k(); }
    /** Runs of the training split: all but the last {@code heldOut}. */
    public int[] trainRuns() { return java.util.stream.IntStream.range(0, runs() - heldOut).toArray(); }
    /** Runs of the test split: the last {@code heldOut}. */
    public int[] testRuns() { return java.util.stream.IntStream.range(runs() - heldOut, runs()).toArray(); }
    /** The index (seed) run {@code run} was trained with. */
    public int runSeed(int run) { return data.run()[run]; }
    /** A copy of the raw parameters of checkpoint {@code k} of {@code run}. */
    public float[] theta(int run, int k) { int at = at(run, k) * net.parameters(); return java.util.Arrays.copyOfRange(data.theta(), at, at + net.parameters()); }
    public int iteration(int run, int k) { return data.iteration()[at(run, k)]; }
    public double trainLoss(int run, int k) { return data.trainLoss()[at(run, k)]; }
    public double trainErr(int run, int k) { return data.trainErr()[at(run, k)]; }
    public double testLoss(int run, int k) { return data.testLoss()[at(run, k)]; }
    public double testErr(int run, int k) { return data.testErr()[at(run, k)]; }

    /** The test images the metrics were measured on ({@code dataDir} null: the embedded data). */
    public ImageDataset testImages(Path dataDir) throws IOException { return TaskData.test(net.size(), recipe.testImages(), dataDir); }

    private int at(int run, int k) {
        if (run < 0 || run >= runs() || k < 0 || k >= data.k()) throw new IndexOutOfBoundsException("checkpoint " + k + " of run " + run + " (" + runs() + " runs x " + data.k() + ")");
        return run * data.k() + k;
    }

    /**
     * Cleans {@code all} and writes it into the locked directory, {@code runsPerShard} runs a shard, each file
     * atomically and the manifest last (a directory without one holds no dataset). Refuses a directory that already
     * has a manifest unless {@code overwrite}; shards of an older dataset not listed in the new manifest are removed.
     */
    public static Written write(RunLock lock, TaskNet net, CheckpointRecipe recipe, Checkpoints all, int heldOut, int runsPerShard, boolean overwrite) throws IOException {
        Path dir = lock.dir(), manifest = dir.resolve(MANIFEST);
        if (!overwrite && Files.exists(manifest)) throw new IOException(manifest + ": a complete dataset is already there (overwrite it with --force, or choose another --out)");
        Cleaning cleaning = Cleaning.of(all, recipe.seed());
        Checkpoints kept = all.select(cleaning.kept());
        if (heldOut < 0 || heldOut >= kept.runs()) throw new IllegalArgumentException(heldOut + " held-out runs of " + kept.runs() + " kept runs: the training split would be empty");
        List<Map<String, Object>> shards = new ArrayList<>();
        int k = kept.k(), p = kept.p();
        for (int first = 0; first < kept.runs(); first += runsPerShard) {
            int n = Math.min(runsPerShard, kept.runs() - first);
            Checkpoints s = kept.select(java.util.stream.IntStream.range(first, first + n).toArray());
            var b = ScalarBackend.INSTANCE;
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("theta", Tensor.of(b, s.theta(), n, k, p));
            t.put("iteration", Tensor.of(b, s.iteration(), n, k));
            t.put("train_loss", Tensor.of(b, s.trainLoss(), n, k));
            t.put("train_err", Tensor.of(b, s.trainErr(), n, k));
            t.put("test_loss", Tensor.of(b, s.testLoss(), n, k));
            t.put("test_err", Tensor.of(b, s.testErr(), n, k));
            t.put("run", Tensor.of(b, s.run(), n));
            String name = String.format("shard-%05d.safetensors", shards.size());
            Path f = dir.resolve(name);
            SafeTensors.write(f, t, Map.of("format", FORMAT), true);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", name);
            e.put("first_run", first);
            e.put("runs", n);
            e.put("bytes", Files.size(f));
            e.put("crc32c", crc32c(f));
            shards.add(e);
        }
        Map<String, Object> m = Manifest.json(net, recipe, kept.runs(), k, heldOut, all.runs(), cleaning, shards);
        AtomicFiles.writeString(manifest, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
        try (var old = Files.newDirectoryStream(dir, "shard-*.safetensors")) {
            for (Path f : old) if (shards.stream().noneMatch(e -> e.get("file").equals(f.getFileName().toString()))) Files.delete(f);
        }
        return new Written(new CheckpointDataset(net, recipe, kept, heldOut, cleaning.coeff()), cleaning);
    }

    /** What {@link #write} stored and how it cleaned. */
    public record Written(CheckpointDataset dataset, Cleaning cleaning) {}

    /** Reads and validates a whole dataset; every problem is an IOException of one line naming the file. */
    public static CheckpointDataset read(Path dir) throws IOException {
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf)) throw new IOException(mf + ": no such file (expected the manifest of a " + FORMAT + " dataset)");
        Manifest m = Manifest.parse(mf);
        Checkpoints all = Checkpoints.allocate(0, m.runs(), m.k(), m.net().parameters());
        int covered = 0;
        for (Manifest.Shard s : m.shards()) {
            Path f = dir.resolve(s.file());
            if (s.firstRun() != covered) throw new IOException(mf + ": shard " + s.file() + " starts at run " + s.firstRun() + ", expected " + covered);
            readShard(f, s, m, all);
            covered += s.runs();
        }
        if (covered != m.runs()) throw new IOException(mf + ": shards hold " + covered + " runs, expected " + m.runs());
        return new CheckpointDataset(m.net(), m.recipe(), all, m.heldOut(), m.coeff());
    }

    private static void readShard(Path f, Manifest.Shard s, Manifest m, Checkpoints all) throws IOException {
        if (!Files.isRegularFile(f)) throw new IOException(f + ": no such file (listed in " + MANIFEST + ")");
        long size = Files.size(f);
        if (size != s.bytes()) throw new IOException(f + ": " + size + " bytes, expected " + s.bytes() + " (truncated or replaced)");
        String crc = crc32c(f);
        if (!crc.equals(s.crc32c())) throw new IOException(f + ": CRC-32C " + crc + ", expected " + s.crc32c() + " (corrupt)");
        Map<String, Tensor> t;
        try {
            t = SafeTensors.read(f, ScalarBackend.INSTANCE).tensors();
        } catch (IOException e) {
            throw new IOException(e.getMessage().lines().findFirst().orElse(f.toString()), e);
        }
        int n = s.runs(), k = m.k(), p = m.net().parameters();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("theta", new int[] {n, k, p});
        for (String name : List.of("iteration", "train_loss", "train_err", "test_loss", "test_err")) shapes.put(name, new int[] {n, k});
        shapes.put("run", new int[] {n});
        for (var e : shapes.entrySet()) {
            Tensor x = t.get(e.getKey());
            if (x == null) throw new IOException(f + ": no tensor '" + e.getKey() + "', expected " + java.util.Arrays.toString(e.getValue()));
            if (!java.util.Arrays.equals(x.shape().dims(), e.getValue())) {
                throw new IOException(f + ": tensor '" + e.getKey() + "' has shape " + java.util.Arrays.toString(x.shape().dims()) + ", expected "
                        + java.util.Arrays.toString(e.getValue()) + " from " + MANIFEST);
            }
        }
        int r0 = s.firstRun();
        System.arraycopy(t.get("theta").toFloatArray(), 0, all.theta(), r0 * k * p, n * k * p);
        System.arraycopy(t.get("iteration").toIntArray(), 0, all.iteration(), r0 * k, n * k);
        System.arraycopy(t.get("train_loss").toDoubleArray(), 0, all.trainLoss(), r0 * k, n * k);
        System.arraycopy(t.get("train_err").toDoubleArray(), 0, all.trainErr(), r0 * k, n * k);
        System.arraycopy(t.get("test_loss").toDoubleArray(), 0, all.testLoss(), r0 * k, n * k);
        System.arraycopy(t.get("test_err").toDoubleArray(), 0, all.testErr(), r0 * k, n * k);
        System.arraycopy(t.get("run").toIntArray(), 0, all.run(), r0, n);
    }

    /** Hex CRC-32C of a file's bytes. */
    static String crc32c(Path f) throws IOException {
        CRC32C c = new CRC32C();
        try (var in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) c.update(buf, 0, r);
        }
        return String.format("%08x", c.getValue());
    }

    /** Bytes of the manifest and shards. */
    public static long bytesOnDisk(Path dir) throws IOException {
        long n = Files.size(dir.resolve(MANIFEST));
        try (var s = Files.newDirectoryStream(dir, "shard-*.safetensors")) { for (Path f : s) n += Files.size(f); }
        return n;
    }
}
