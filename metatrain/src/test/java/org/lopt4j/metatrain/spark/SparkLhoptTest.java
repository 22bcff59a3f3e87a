package org.lopt4j.metatrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.cli.Main;
import org.lopt4j.metatrain.rl.LhoptConfig;
import org.lopt4j.metatrain.rl.LhoptTrainer;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/** {@code lopt4j lhopt train --engine spark}: one Spark task per episode gives the run of actor threads, and resumes. */
class SparkLhoptTest {
    @Test void sparkEpisodesGiveTheRunOfActorThreads(@TempDir Path dir) throws Exception {
        LhoptConfig c = LhoptConfig.defaults().with(Map.of("iterations", 3, "episodes", 3, "outerSteps", 3, "innerSteps", 4, "hidden", 8,
                "checkpointSeconds", 0, "seed", 11, "tasks", List.of("nqm", "mlp8"), "actors", 2));
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, c.toJson());
        Path threads = dir.resolve("threads"), spark = dir.resolve("spark");
        assertEquals(0, Main.run("lhopt", "train", "--config", cfg.toString(), "--out", threads.toString(), "--quiet"));
        assertEquals(0, Main.run("lhopt", "train", "--config", cfg.toString(), "--out", spark.toString(), "--quiet", "--iterations", "2",
                "--engine", "spark", "--master", "local[2]"));
        assertEquals(0, Main.run("lhopt", "train", "--config", cfg.toString(), "--out", spark.toString(), "--quiet", "--resume",
                "--engine", "spark", "--master", "local[2]"));
        Map<String, Tensor> a = SafeTensors.read(threads.resolve(LhoptTrainer.FILE), ScalarBackend.INSTANCE).tensors();
        Map<String, Tensor> b = SafeTensors.read(spark.resolve(LhoptTrainer.FILE), ScalarBackend.INSTANCE).tensors();
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.size() >= 4, a.keySet().toString());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0, k);
        assertEquals(Files.readAllLines(threads.resolve("metrics.jsonl")).stream().map(SparkLhoptTest::withoutSeconds).toList(),
                Files.readAllLines(spark.resolve("metrics.jsonl")).stream().map(SparkLhoptTest::withoutSeconds).toList());
        assertEquals(1, Main.run("lhopt", "train", "--config", cfg.toString(), "--out", dir.resolve("x").toString(), "--engine", "mpi", "--quiet"));
    }

    private static String withoutSeconds(String row) { return row.replaceAll(",\"seconds\":[^,}]*", ""); }
}
