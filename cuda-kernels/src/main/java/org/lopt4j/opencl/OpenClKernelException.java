package org.lopt4j.opencl;

/** An OpenCL call of the backend failed (a build, a launch, a copy); the message names the call and the device. */
public final class OpenClKernelException extends RuntimeException {
    OpenClKernelException(String message, Throwable cause) { super(message, cause); }
}
