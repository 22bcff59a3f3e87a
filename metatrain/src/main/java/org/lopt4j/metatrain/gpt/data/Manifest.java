package org.lopt4j.metatrain.gpt.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code manifest.json} of a {@link CheckpointDataset}: written as a map, read back with every field checked. */
record Manifest(TaskNet net, CheckpointRecipe recipe, int runs, int k, int heldOut, double coeff, List<Shard> shards) {
    /** One shard: its file, first run, run count, size and CRC-32C. */
    record Shard(String file, int firstRun, int runs, long bytes, String crc32c) {}

    static Map<String, Object> json(TaskNet net, CheckpointRecipe r, int runs, int k, int heldOut, int trained, Cleaning c, List<Map<String, Object>> shards) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", CheckpointDataset.FORMAT);
        m.put("version", CheckpointDataset.VERSION);
        m.put("dataset", TaskData.DATASET + " " + net.size() + "x" + net.size() + ", normalized (x - " + TaskNet.MEAN + ") / " + TaskNet.STD);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("size", net.size());
        n.put("hidden", net.hidden());
        n.put("parameters", net.parameters());
        n.put("layers", net.layers().stream().map(l -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", l.name());
            e.put("shape", l.shape());
            e.put("offset", l.offset());
            e.put("length", l.length());
            return e;
        }).toList());
        m.put("net", n);
        Map<String, Object> rc = new LinkedHashMap<>();
        rc.put("epochs", r.epochs());
        rc.put("checkpoints", r.checkpoints());
        rc.put("batch", r.batch());
        rc.put("base_lr", r.baseLr());
        rc.put("momentum", r.momentum());
        rc.put("nesterov", true);
        rc.put("weight_decay", r.weightDecay());
        rc.put("test_images", r.testImages());
        rc.put("seed", r.seed());
        m.put("recipe", rc);
        m.put("runs", runs);
        m.put("checkpoints_per_run", k);
        m.put("split", Map.of("train_runs", runs - heldOut, "test_runs", heldOut, "rule", "the last test_runs stored runs are the test split"));
        Map<String, Object> cl = new LinkedHashMap<>();
        cl.put("trained_runs", trained);
        cl.put("dropped", c.dropped().stream().map(d -> Map.of("run", d.run(), "reason", d.reason())).toList());
        cl.put("sampled_checkpoints", c.sampled());
        cl.put("sigma", c.sigma());
        m.put("cleaning", cl);
        m.put("coeff", c.coeff());
        m.put("shards", shards);
        return m;
    }

    /** Parses and checks {@code file}; a problem is an IOException naming it and what was expected. */
    static Manifest parse(Path file) throws IOException {
        JsonNode j;
        try {
            j = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (j == null || !formatMatches(j)) {
            throw new IOException(file + ": format " + (j == null ? "none" : j.path("format").asText("none")) + " version " + (j == null ? "none" : j.path("version").asText("none"))
                    + ", expected " + CheckpointDataset.FORMAT + " version " + CheckpointDataset.VERSION);
        }
        try {
            JsonNode n = need(j, "net"), r = need(j, "recipe");
            TaskNet net = new TaskNet(need(n, "size").asInt(), need(n, "hidden").asInt());
            if (need(n, "parameters").asInt() != net.parameters()) throw new IllegalArgumentException("net.parameters is " + n.get("parameters").asInt() + ", expected " + net.parameters());
            CheckpointRecipe recipe = new CheckpointRecipe(need(r, "epochs").asInt(), need(r, "checkpoints").asInt(), need(r, "batch").asInt(), need(r, "base_lr").asDouble(),
                    need(r, "momentum").asDouble(), need(r, "weight_decay").asDouble(), need(r, "test_images").asInt(), need(r, "seed").asLong());
            int runs = need(j, "runs").asInt(), k = need(j, "checkpoints_per_run").asInt(), held = need(need(j, "split"), "test_runs").asInt();
            if (held < 0 || held >= runs) throw new IllegalArgumentException("split.test_runs is " + held + ", expected 0.." + (runs - 1));
            List<Shard> shards = new ArrayList<>();
            for (JsonNode s : need(j, "shards")) {
                shards.add(new Shard(need(s, "file").asText(), need(s, "first_run").asInt(), need(s, "runs").asInt(), need(s, "bytes").asLong(), need(s, "crc32c").asText()));
            }
            return new Manifest(net, recipe, runs, k, held, need(j, "coeff").asDouble(), shards);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static boolean formatMatches(JsonNode j) {
        return CheckpointDataset.FORMAT.equals(j.path("format").asText()) && j.path("version").asInt(-1) == CheckpointDataset.VERSION;
    }

    private static JsonNode need(JsonNode j, String field) {
        JsonNode v = j.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("no field '" + field + "'");
        return v;
    }
}
