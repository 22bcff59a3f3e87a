package org.lopt4j.metatrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.task.TaskFamilies;

/** {@code lopt4j tasks}: fixed tasks, families with samples and scales, the suite; {@code --measure-scales} on a short run. */
class TasksCommandTest {
    @Test void listsTasksFamiliesAndTheSuite() {
        Cli r = Cli.run("tasks", "--samples", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ImageMLP_FashionMnist8_Relu32"), r.out());
        for (String f : TaskFamilies.names()) assertTrue(r.out().contains(f), f + " missing:\n" + r.out());
        assertTrue(r.out().contains("key 1: ") && r.out().contains("loss scale: initial"), r.out());
        assertTrue(r.out().contains("held-out suite"), r.out());
    }

    /** A short measurement: the initial loss of a 10-class classifier is near ln 10 and Adam gets below it. */
    @Test void measuresAFamilysLossScale() {
        Cli r = Cli.run("tasks", "--measure-scales", "--families", "mlp_family", "--steps", "40");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("mlp_family\\s+new LossScale\\(([0-9.]+), ([0-9.]+)\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double initial = Double.parseDouble(m.group(1)), adam = Double.parseDouble(m.group(2));
        assertEquals(Math.log(10), initial, 0.1);
        assertTrue(adam < initial - 0.3, "Adam in 40 steps from " + initial + " to " + adam);
        assertEquals(4, r.out().lines().filter(l -> l.contains("initial") && l.contains("ImageMLP_")).count(), r.out());
        Cli bad = Cli.run("tasks", "--measure-scales", "--families", "nope");
        assertEquals(1, bad.code());
        assertTrue(bad.error().contains("unknown family 'nope'"), bad.err());
    }
}
