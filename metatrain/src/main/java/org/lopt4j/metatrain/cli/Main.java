package org.lopt4j.metatrain.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code lopt4j} command line: tasks, train, metatrain, selftrain, eval. Errors are one line and a non-zero exit. */
@Command(name = "lopt4j", mixinStandardHelpOptions = true, version = "lopt4j 0.1.0",
        description = "Train and meta-train learned optimizers.",
        subcommands = {TasksCommand.class, TrainCommand.class, MetaTrainCommand.class, SelfTrainCommand.class, PretrainCommand.class, CompareCommand.class, EvalCommand.class, SuiteCommand.class, LhoptCommand.class, GptCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) { System.exit(run(args)); }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) { return run(new PrintWriter(System.err, true), args); }

    /** {@link #run(String...)} with error messages to {@code err}. */
    static int run(PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("lopt4j: " + ex.getMessage() + " (see --help)");
            if (ex instanceof UnmatchedArgumentException u) UnmatchedArgumentException.printSuggestions(u, ex.getCommandLine().getErr());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("lopt4j: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        // picocli lets --help win over an unknown subcommand ("lopt4j nosuchcmd --help" would print the usage and exit 0)
        if (args.length > 0 && !args[0].startsWith("-") && !cl.getSubcommands().containsKey(args[0])) {
            UnmatchedArgumentException ex = new UnmatchedArgumentException(cl, java.util.List.of(args[0]));
            err.println("lopt4j: unknown command '" + args[0] + "' (see --help)");
            UnmatchedArgumentException.printSuggestions(ex, err);
            return 2;
        }
        return cl.execute(args);
    }

    @Override public void run() { new CommandLine(this).usage(System.out); }
}
