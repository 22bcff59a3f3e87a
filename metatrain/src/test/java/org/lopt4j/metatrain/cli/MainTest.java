package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir Path dir;

    @Test void trainWritesMetricsAndAPlot() throws Exception {
        int code = Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "adam", "--lr", "1e-2", "--steps", "30",
                "--seed", "1", "--out", dir.toString(), "--log-every", "10");
        assertEquals(0, code);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(4, lines.size());                      // steps 0, 10, 20, 29
        assertTrue(lines.get(0).startsWith("{\"step\":0,\"loss\":"), lines.get(0));
        byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    @Test void badArgumentsGiveOneLineAndNonZeroExit() {
        assertEquals(2, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--steps", "abc"));
        assertEquals(1, Main.run("train", "--task", "NoSuchTask"));
        assertEquals(1, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "nope", "--out", dir.toString()));
        assertEquals(2, Main.run("frobnicate"));
        assertEquals(0, Main.run("train", "--help"));
        assertEquals(0, Main.run("tasks"));
    }
}
