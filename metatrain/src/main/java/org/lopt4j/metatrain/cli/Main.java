package org.lopt4j.metatrain.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lopt4j} command line: tasks, train, metatrain, selftrain, eval. Errors are one line and a non-zero exit. */
@Command(name = "lopt4j", mixinStandardHelpOptions = true, version = "lopt4j 0.1.0",
        description = "Train and meta-train learned optimizers.",
        subcommands = {TasksCommand.class, TrainCommand.class, MetaTrainCommand.class, SelfTrainCommand.class, PretrainCommand.class, CompareCommand.class, EvalCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) { System.exit(run(args)); }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("lopt4j: " + ex.getMessage() + " (see --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("lopt4j: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cl.execute(args);
    }

    @Override public void run() { new CommandLine(this).usage(System.out); }
}
