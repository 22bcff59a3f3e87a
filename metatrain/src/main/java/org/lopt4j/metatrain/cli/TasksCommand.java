package org.lopt4j.metatrain.cli;

import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import picocli.CommandLine.Command;

/** {@code lopt4j tasks}: lists the fixed tasks with their parameter counts, the task families and the held-out suite. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "List the fixed tasks, the task families and the held-out suite.")
final class TasksCommand implements Runnable {
    @Override public void run() {
        for (String n : Tasks.names()) {
            String params;
            try {
                Task t = Tasks.byName(n, java.nio.file.Path.of("."));
                params = String.format("%,d params", t.layout().paramCount());
            } catch (RuntimeException e) {
                params = "";
            }
            System.out.printf("%-45s %s%n", n, params);
        }
        System.out.printf("%ntask families (a task drawn per key, reproducibly):%n");
        System.out.printf("%-45s %s%n", "QuadraticFamily_D", "metatrain --task: separable quadratics of dimension D, curvatures and centres per problem");
        System.out.printf("%-45s %s%n", "mlp8, mlp8_fashion_mnist", "selftrain --task: 64 -> 16..32 -> 10 MLPs, ReLU or tanh, 8x8 Fashion-MNIST (and MNIST)");
        System.out.printf("%nheld-out suite (lopt4j suite): %s%n", String.join(", ", SuiteCommand.HELDOUT));
    }
}
