package org.lopt4j.metatrain.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lopt4j.metatrain.outer.LossScales;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.TaskFamilies;
import org.lopt4j.metatrain.task.TaskFamily;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lopt4j tasks}: lists the fixed tasks with their parameter counts, the task families (with samples and loss
 * scales) and the held-out suite; {@code --measure-scales} measures the families' loss scales again.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = {"List the fixed tasks, the task families with a few of their samples and their loss scales, and the held-out suite.",
        "A task mixture for `metatrain --task` is written mix:FAMILY[*WEIGHT],...; each worker draws a family by weight, then a task of it, and its meta-loss is normalized by the family's loss scale."})
final class TasksCommand implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "3", description = "Samples listed per family (default ${DEFAULT-VALUE}).") int samples;
    @Option(names = "--measure-scales", description = "Measure each family's loss scale (Adam at 5 learning rates on 4 sampled tasks, 1,000 steps; about 10 minutes on 2 cores) and print it.") boolean measure;
    @Option(names = "--families", split = ",", description = "With --measure-scales: only these families.") List<String> families;
    @Option(names = "--data-dir", description = "Directory with mnist/, fashion-mnist/ (IDX) and tinyshakespeare/; default: embedded data (mlp28_family needs this).") Path dataDir;
    @Option(names = "--steps", defaultValue = "1000", description = "With --measure-scales: Adam steps per run (default ${DEFAULT-VALUE}).") int steps;

    @Override public Integer call() {
        if (measure) return measure();
        for (String n : Tasks.names()) {
            String params;
            try {
                Task t = Tasks.byName(n, Path.of("."));
                params = String.format("%,d params", t.layout().paramCount());
            } catch (RuntimeException e) {
                params = "";
            }
            System.out.printf("%-45s %s%n", n, params);
        }
        System.out.printf("%ntask families (a task drawn per key, reproducibly; metatrain --task mix:FAMILY[*WEIGHT],...; one sample: --task FAMILY#KEY):%n");
        for (String f : TaskFamilies.names()) {
            TaskFamilies.Entry e = TaskFamilies.entry(f);
            System.out.printf("%-20s %s%n%-20s loss scale: initial %.4g, Adam %.4g%n", f, e.description(), "", e.scale().initial(), e.scale().adam());
            TaskFamily fam = e.make().apply(dataDir);
            for (int k = 0; k < samples; k++) {
                Task t = fam.sample(RandomKey.of(k));
                System.out.printf("%-20s key %d: %s (%,d params)%n", "", k, t.name(), t.layout().paramCount());
            }
        }
        System.out.printf("%-20s %s%n", "QuadraticFamily_D", "separable quadratics of dimension D, curvatures and centres per problem (metatrain --task)");
        System.out.printf("%-20s %s%n", "mlp8, mlp8_fashion_mnist", "selftrain --task: 64 -> 16..32 -> 10 MLPs, ReLU or tanh, 8x8 Fashion-MNIST (and MNIST)");
        System.out.printf("%nheld-out suite (lopt4j suite): %s%n", String.join(", ", SuiteCommand.HELDOUT));
        return 0;
    }

    private int measure() {
        Backend b = Backends.best();
        double[] lrs = {1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
        for (String f : families == null ? TaskFamilies.names() : families) {
            TaskFamilies.Entry e = TaskFamilies.entry(f);
            if (e == null) throw new IllegalArgumentException("unknown family '" + f + "'; known: " + TaskFamilies.names());
            long t0 = System.nanoTime();
            LossScales.Measured m = LossScales.measure(e.make().apply(dataDir), 4, steps, lrs, b);
            System.out.printf("%-16s new LossScale(%.4f, %.4f)   shipped (%.4f, %.4f)   %.0f s%n", f, m.scale().initial(), m.scale().adam(),
                    e.scale().initial(), e.scale().adam(), (System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < m.tasks().size(); i++) System.out.printf("    %-52s initial %.4f  Adam %.4f%n", m.tasks().get(i), m.initial()[i], m.adam()[i]);
        }
        return 0;
    }
}
