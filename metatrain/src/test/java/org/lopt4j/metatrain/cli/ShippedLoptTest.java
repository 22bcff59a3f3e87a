package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;

/** The θs lopt4j ships for small_fc_lopt load and train, from Java and the command line; bad θ files are refused. */
class ShippedLoptTest {
    final Backend b = Backends.best();

    @Test void shippedThetaTrainsFashionMnist8() throws Exception {
        Task t = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
        InnerTrainer.Result r = InnerTrainer.train(t, LearnedOption.of("small_fc_lopt", null, 2), 500, 5, 2, b, null);
        double[] l = InnerTrainer.evaluate(t, r.params(), 2, Split.TRAIN, 5, 6, b);
        for (double x : l) assertTrue(x < 1.0, "train loss after 500 steps " + x + " (initial ≈ 2.30)");
    }

    /** The general θ trains a member of a family it was meta-trained on, and a held-out task, by its name alone. */
    @Test void generalThetaTrainsByName(@TempDir Path dir) throws Exception {
        trainsByName("small_fc_lopt_general", "conv_family#2", 1.6, dir); // 1.28 when this test was written
        assertEquals(0, Main.run("suite", "--optimizer", "small_fc_lopt_general", "--tasks", "mlp_family#3", "--steps", "20", "--lr-grid", "1e-2:1e-2:1",
                "--adam-cache", "none", "--quiet", "--out", dir.resolve("suite").toString()));
        assertTrue(Files.readString(dir.resolve("suite/suite.json")).contains("\"optimizer\" : \"small_fc_lopt_general\""));
    }

    /** The shipped velo_small θ trains a held-out task by its name, without diverging. */
    @Test void veloSmallThetaTrainsByName(@TempDir Path dir) throws Exception {
        trainsByName("velo_small_general", "ImageMLP_FashionMnist16_Relu32", 1.2, dir);
    }

    /**
     * The shipped θ {@code name} takes {@code task}'s training loss below {@code bound} in 300 steps (from about 2.30)
     * and, named on the command line, trains the autoencoder for 30 steps.
     */
    void trainsByName(String name, String task, double bound, Path dir) throws Exception {
        Task t = Tasks.byName(task, null);
        InnerTrainer.Result r = InnerTrainer.train(t, LearnedOption.of(name, null, 2), 300, 5, 2, b, null);
        double[] l = InnerTrainer.evaluate(t, r.params(), 2, Split.TRAIN, 5, 6, b);
        for (double x : l) assertTrue(x < bound, name + " on " + t.name() + ": train loss after 300 steps " + x + " (initial ≈ 2.30)");
        assertEquals(0, Main.run("train", "--task", "ImageMLPAE_FashionMnist8_32x8x32", "--optimizer", name, "--steps", "30",
                "--out", dir.resolve("ae").toString()));
    }

    @Test void commandLineTrainsWithIt(@TempDir Path dir) {
        assertEquals(0, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "small_fc_lopt", "--steps", "50",
                "--out", dir.toString()));
        assertTrue(Files.exists(dir.resolve("loss.png")));
    }

    @Test void badThetaFilesAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(java.io.IOException.class, () -> LearnedOption.of("small_fc_lopt", f, 1));
        assertEquals(1, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "small_fc_lopt", "--steps", "5",
                "--lopt-checkpoint", f.toString(), "--out", dir.resolve("o").toString()));
    }
}
