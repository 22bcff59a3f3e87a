package org.lopt4j.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read or written as asked; the message names the file and the tensor. */
public final class SafeTensorsException extends IOException {
    public SafeTensorsException(Path file, String message) { super(file + ": " + message); }

    public SafeTensorsException(Path file, String message, Throwable cause) { super(file + ": " + message, cause); }
}
