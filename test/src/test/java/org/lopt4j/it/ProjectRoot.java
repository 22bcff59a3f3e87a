package org.lopt4j.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root from a module's working directory (the directory holding mvnw and tensor/). */
final class ProjectRoot {
    private ProjectRoot() {}

    static Path find() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.exists(p.resolve("mvnw")) && Files.isDirectory(p.resolve("tensor"))) return p;
            p = p.getParent();
        }
        throw new IllegalStateException("project root (with mvnw and tensor/) not found above " + Path.of("").toAbsolutePath());
    }
}
