package org.lopt4j.metatrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.cli.Main;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.io.SafeTensors;

/** {@code lopt4j metatrain --engine spark --master local[2,4]} reaches the θ of {@code --engine threads}. */
class SparkCommandLineTest {
    static double[] theta(Path out) throws Exception {
        return SafeTensors.read(out.resolve(MetaCheckpoint.FILE), Backends.best()).tensors().get("outer/theta_f64").toDoubleArray();
    }

    @Test void sparkEngineFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, SparkUnitExecutorTest.config().toJson());
        Path a = dir.resolve("threads"), b = dir.resolve("spark");
        assertEquals(0, Main.run("metatrain", "--config", cfg.toString(), "--out", a.toString(), "--no-eval", "--quiet"));
        assertEquals(0, Main.run("metatrain", "--config", cfg.toString(), "--out", b.toString(), "--no-eval", "--quiet",
                "--engine", "spark", "--master", "local[2,4]"));
        assertArrayEquals(theta(a), theta(b), 0);
        assertEquals(2, Main.run("metatrain", "--engine"));
        assertEquals(1, Main.run("metatrain", "--config", cfg.toString(), "--out", dir.resolve("x").toString(), "--engine", "mpi", "--quiet"));
    }
}
