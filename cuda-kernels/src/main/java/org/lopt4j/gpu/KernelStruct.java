package org.lopt4j.gpu;

/**
 * A Java record passed to a kernel by value as a C struct of common.cuh: its components are the struct's fields in
 * order (KernelTwinsTest checks names, order and types) and {@link #bytes()} is the struct's little-endian memory
 * image with C alignment.
 */
public sealed interface KernelStruct permits Dims, View {
    /** The struct as the kernel reads it from its parameter space. */
    byte[] bytes();
}
