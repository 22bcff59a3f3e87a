package org.lopt4j.cuda;

import jcuda.driver.CUdeviceptr;

/** Raw device allocations under {@link CudaAllocator}: on a GPU, {@code cuMemAlloc} and {@code cuMemFree}. */
interface DeviceMemory {
    /** A new block of {@code bytes}, or null when the device is out of memory (other failures throw). */
    CUdeviceptr allocate(long bytes);

    /** Returns a block from {@link #allocate} to the device. */
    void free(CUdeviceptr block);

    /** The device's name, for messages. */
    String deviceName();
}
