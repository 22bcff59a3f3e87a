package org.lopt4j.metatrain.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a dataset comes from: the data embedded in the jar (Fashion-MNIST at 8×8 and 16×16, MNIST at 8×8, Tiny
 * Shakespeare), or a directory of the original files laid out as in {@code shared/data}: {@code mnist/} and
 * {@code fashion-mnist/} (gzipped IDX), {@code cifar-10-batches-bin/} (CIFAR-10 binary batches),
 * {@code tinyshakespeare/input.txt}.
 */
public sealed interface DataSource permits DataSource.Embedded, DataSource.Directory {
    /** The class-path resources made by {@link EmbeddedDataGenerator}. */
    record Embedded() implements DataSource {}

    /** A directory holding the original distribution files (what {@code --data-dir} names). */
    record Directory(Path root) implements DataSource {
        public Directory {
            Objects.requireNonNull(root, "data directory");
        }
    }

    /** The embedded data. */
    DataSource EMBEDDED = new Embedded();

    /** {@code dir}, or the embedded data when {@code dir} is null. */
    static DataSource of(Path dir) { return dir == null ? EMBEDDED : new Directory(dir); }
}
