package org.lopt4j.metatrain.run;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The reason of an I/O failure in a few words ("permission denied", "No space left on device"), whatever wraps it. */
public final class IoErrors {
    private IoErrors() {}

    /** The innermost cause's reason: file-system exceptions carry the path as their message, so name the kind instead. */
    public static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof AccessDeniedException) return "permission denied";
        if (root instanceof NoSuchFileException) return "no such file or directory";
        if (root instanceof NotDirectoryException) return "not a directory";
        if (root instanceof FileAlreadyExistsException) return "a file of that name exists";
        if (root instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
