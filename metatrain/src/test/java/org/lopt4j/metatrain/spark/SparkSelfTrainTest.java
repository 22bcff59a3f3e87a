package org.lopt4j.metatrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.cli.Main;
import org.lopt4j.metatrain.selftrain.SelfTrainCheckpoint;
import org.lopt4j.metatrain.selftrain.SelfTrainConfig;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;

/** {@code lopt4j selftrain --engine spark} with one member per Spark task reaches the population of one batched unit. */
class SparkSelfTrainTest {
    @Test void sparkUnitsGiveTheRunOfOneBatchedPopulation(@TempDir Path dir) throws Exception {
        SelfTrainConfig c = SelfTrainConfig.defaults().with(Map.of("members", 3, "pairs", 2, "unrollLength", 6, "outerSteps", 4, "evalEvery", 2,
                "evalProblems", 1, "evalLength", 4, "exploitEvery", 2, "seed", 5, "checkpointSeconds", 0));
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, c.toJson());
        Path a = dir.resolve("one"), b = dir.resolve("spark");
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", a.toString(), "--no-eval", "--quiet"));
        assertEquals(0, Main.run("selftrain", "--config", cfg.toString(), "--out", b.toString(), "--no-eval", "--quiet",
                "--engine", "spark", "--master", "local[2]", "--members-per-unit", "1"));
        Map<String, Tensor> ta = SafeTensors.read(a.resolve(SelfTrainCheckpoint.FILE), Backends.best()).tensors();
        Map<String, Tensor> tb = SafeTensors.read(b.resolve(SelfTrainCheckpoint.FILE), Backends.best()).tensors();
        assertEquals(ta.keySet(), tb.keySet());
        for (String k : ta.keySet()) assertArrayEquals(ta.get(k).toDoubleArray(), tb.get(k).toDoubleArray(), 0, k);
        assertEquals(1, Main.run("selftrain", "--config", cfg.toString(), "--out", dir.resolve("x").toString(), "--engine", "mpi", "--quiet"));
    }
}
