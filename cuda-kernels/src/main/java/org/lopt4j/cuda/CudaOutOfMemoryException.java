package org.lopt4j.cuda;

/** The device has no memory left for an allocation, even after the allocator returned its cached blocks. */
public final class CudaOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CudaOutOfMemoryException(String message) { super(message); }
}
