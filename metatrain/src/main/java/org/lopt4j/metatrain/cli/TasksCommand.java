package org.lopt4j.metatrain.cli;

import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import picocli.CommandLine.Command;

/** {@code lopt4j tasks}: lists the fixed tasks with their parameter counts. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "List the fixed tasks.")
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
    }
}
