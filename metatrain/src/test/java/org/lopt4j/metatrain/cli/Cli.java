package org.lopt4j.metatrain.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** A command line run in this JVM: its exit code, what it printed to standard output, and its error line(s). */
record Cli(int code, String out, String err) {
    static Cli run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(new PrintWriter(err, true), args);
        } finally {
            System.setOut(saved);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** The first error line, without the "lopt4j: " prefix. */
    String error() {
        String first = err.lines().findFirst().orElse("");
        return first.startsWith("lopt4j: ") ? first.substring(8) : first;
    }
}
