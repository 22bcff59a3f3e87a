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

    /**
     * The learned optimizer on the OpenCL backend through the command line ends where the SIMD run ends (float32 on
     * both, different summation orders): PoCL in CI (fails there if absent, -Dlopt4j.opencl.required=true).
     */
    /** Muon from the command line trains, and on OpenCL (PoCL in CI) ends where the SIMD run ends. */
    @Test void muonTrainsOnSimdAndOpenCl() throws Exception {
        boolean available = org.lopt4j.tensor.Backends.providers().stream().anyMatch(p -> p.name().equals("opencl") && p.probe().isPresent());
        if (!available && Boolean.getBoolean("lopt4j.opencl.required")) org.junit.jupiter.api.Assertions.fail("no OpenCL device");
        String[] devices = available ? new String[] {"simd", "opencl"} : new String[] {"simd"};
        double[] first = new double[2], last = new double[2];
        for (int k = 0; k < devices.length; k++) {
            Path out = dir.resolve("muon-" + devices[k]);
            assertEquals(0, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "muon", "--lr", "0.02", "--steps", "40",
                    "--device", devices[k], "--out", out.toString(), "--log-every", "39"));
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            first[k] = Double.parseDouble(lines.get(0).replaceAll(".*\"loss\":([-0-9.eE]+).*", "$1"));
            last[k] = Double.parseDouble(lines.get(lines.size() - 1).replaceAll(".*\"loss\":([-0-9.eE]+).*", "$1"));
        }
        assertTrue(last[0] < 0.8 * first[0], "muon trains: " + first[0] + " -> " + last[0]);
        if (available) assertEquals(last[0], last[1], 1e-4 * Math.abs(last[0]), "final loss on simd vs opencl");
    }

    @Test void trainOnOpenClMatchesSimd() throws Exception {
        boolean available = org.lopt4j.tensor.Backends.providers().stream().anyMatch(p -> p.name().equals("opencl") && p.probe().isPresent());
        if (!available && Boolean.getBoolean("lopt4j.opencl.required")) org.junit.jupiter.api.Assertions.fail("no OpenCL device");
        org.junit.jupiter.api.Assumptions.assumeTrue(available, "no OpenCL device");
        double[] loss = new double[2];
        String[] devices = {"simd", "opencl"};
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve(devices[k]);
            assertEquals(0, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "small_fc_lopt", "--steps", "40",
                    "--device", devices[k], "--out", out.toString(), "--log-every", "39"));
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            String last = lines.get(lines.size() - 1);
            loss[k] = Double.parseDouble(last.replaceAll(".*\"loss\":([-0-9.eE]+).*", "$1"));
        }
        assertEquals(loss[0], loss[1], 1e-4 * Math.abs(loss[0]), "final loss on simd vs opencl");
        assertEquals(1, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--device", "nope", "--out", dir.toString()));
    }

    @Test void badArgumentsGiveOneLineAndNonZeroExit() {
        assertEquals(2, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--steps", "abc"));
        assertEquals(1, Main.run("train", "--task", "NoSuchTask"));
        assertEquals(1, Main.run("train", "--task", "ImageMLP_FashionMnist8_Relu32", "--optimizer", "nope", "--out", dir.toString()));
        assertEquals(2, Main.run("frobnicate"));
        assertEquals(0, Main.run("train", "--help"));
        assertEquals(0, Main.run("tasks"));
    }

    /** Every command's and subcommand's --help renders as written: picocli warns (on stderr) of a bare '%' and prints it raw. */
    @Test void everyHelpRendersWithoutWarnings() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        List<String> seen = new java.util.ArrayList<>();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(new picocli.CommandLine(new Main())));
            while (!todo.isEmpty()) {
                picocli.CommandLine c = todo.pop();
                c.getUsageMessage();
                seen.add(c.getCommandName());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(saved);
        }
        assertTrue(seen.size() > 10, "walked the commands: " + seen);
        assertTrue(!err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("WARN"), "help text warnings:\n" + err);
    }
}
