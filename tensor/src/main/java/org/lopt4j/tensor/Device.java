package org.lopt4j.tensor;

/** Where a backend's memory lives. */
public sealed interface Device permits Device.Cpu, Device.Cuda, Device.OpenCl {
    /** Host memory, computed on the CPU. */
    record Cpu() implements Device {}
    /** A CUDA device by ordinal. */
    record Cuda(int ordinal) implements Device {}
    /** An OpenCL device by platform and device index. */
    record OpenCl(int platform, int index) implements Device {}
}
