package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Holds the core to its line budget (tinygrad's sz.py): small files, a small core. */
class LineBudgetTest {
    /** Main-source lines allowed in tensor + autodiff together: STYLE.md §3.8's "about 6,000" (the argument records of every learned pass live here). */
    static final int CORE_BUDGET = 6_100;
    /** Lines allowed in one hand-written source file (STYLE.md rule 8). */
    static final int FILE_BUDGET = 500;

    private static final List<String> MODULES = List.of("tensor", "autodiff", "lopt", "cuda-kernels", "metatrain", "bench", "test");

    @Test void coreStaysUnderBudget() throws IOException {
        Path root = ProjectRoot.find();
        long core = lines(root.resolve("tensor/src/main")) + lines(root.resolve("autodiff/src/main"));
        assertTrue(core <= CORE_BUDGET, "tensor + autodiff main sources have " + core + " lines, budget " + CORE_BUDGET);
    }

    @Test void everyHandWrittenFileIsSmall() throws IOException {
        Path root = ProjectRoot.find();
        List<String> over = new ArrayList<>();
        for (String m : MODULES) {
            for (Path f : sources(root.resolve(m).resolve("src"))) {
                long n = Files.readAllLines(f).size();
                if (n > FILE_BUDGET) over.add(root.relativize(f) + " (" + n + ")");
            }
        }
        assertTrue(over.isEmpty(), "files over " + FILE_BUDGET + " lines: " + over);
    }

    private static long lines(Path dir) throws IOException {
        long n = 0;
        for (Path f : sources(dir)) n += Files.readAllLines(f).size();
        return n;
    }

    /** Hand-written sources: Java, CUDA and OpenCL C (generated PTX is excluded). */
    private static List<Path> sources(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> { String n = p.toString(); return n.endsWith(".java") || n.endsWith(".cu") || n.endsWith(".cuh") || n.endsWith(".cl"); })
                    .sorted().toList();
        }
    }
}
