package org.lopt4j.metatrain.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an executor JVM builds once from a config's JSON and data directory (a recipe, a trainer) and reuses for every
 * unit of that config it runs; units only compute with it, so sharing it between tasks changes no result.
 */
final class BuiltPerJvm {
    private static final ConcurrentHashMap<String, Object> BUILT = new ConcurrentHashMap<>();

    /** Builds a {@code T} from a config's JSON and its data directory (null: the embedded data). */
    interface Builder<T> {
        T build(String configJson, Path dataDir) throws IOException;
    }

    private BuiltPerJvm() {}

    /** The {@code type} built from {@code configJson} and {@code dataDir} in this JVM, built on first use. */
    static <T> T of(Class<T> type, String configJson, String dataDir, Builder<T> builder) {
        return type.cast(BUILT.computeIfAbsent(type.getName() + "\u0000" + configJson + "\u0000" + dataDir, k -> {
            try {
                return builder.build(configJson, dataDir == null ? null : Path.of(dataDir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }
}
