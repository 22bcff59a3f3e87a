package org.lopt4j.metatrain.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example runs in a JVM whose class path holds the three core jars (tensor, autodiff, lopt)
 * and the example's own classes, nothing else, and both optimizers, AdamW and the shipped learned optimizer, train.
 */
class TrainMlpExampleTest {
    static String where(Class<?> c) throws Exception { return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(); }

    @Test void runsOnTheCoreJarsAlone(@TempDir Path dir) throws Exception {
        Path classes = Path.of(where(TrainMlpExample.class));
        Path pkg = dir.resolve("org/lopt4j/metatrain/examples");
        Files.createDirectories(pkg);
        try (var files = Files.list(classes.resolve("org/lopt4j/metatrain/examples"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("TrainMlpExample")).toList()) Files.copy(f, pkg.resolve(f.getFileName()));
        }
        String cp = String.join(File.pathSeparator, where(org.lopt4j.tensor.Tensor.class), where(org.lopt4j.autodiff.Tape.class),
                where(org.lopt4j.learned.Pretrained.class), dir.toString());
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, TrainMlpExample.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("adamw: loss ([0-9.]+) -> ([0-9.]+); small_fc_lopt: loss ([0-9.]+) -> ([0-9.]+)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Double.parseDouble(m.group(2)) < Double.parseDouble(m.group(1)) / 10, "AdamW trains: " + m.group());
        assertTrue(Double.parseDouble(m.group(4)) < Double.parseDouble(m.group(3)) / 10, "the shipped learned optimizer trains: " + m.group());
    }
}
