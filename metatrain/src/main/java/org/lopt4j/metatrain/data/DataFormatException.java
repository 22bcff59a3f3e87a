package org.lopt4j.metatrain.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file that is missing, truncated or not in the expected format; the message names the file and what was expected. */
public final class DataFormatException extends IOException {
    public DataFormatException(Path file, String message) { super(file + ": " + message); }
}
