package org.lopt4j.cuda;

/** A CUDA driver call failed; the message names the kernel (or the copy or sync) and the CUDA error. */
public final class CudaKernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CudaKernelException(String message, Throwable cause) { super(message, cause); }
}
