package org.lopt4j.cuda;

import org.lopt4j.tensor.Backend;

/** CUDA-event timing of queued device work for benchmarks outside this package: {@link KernelTimer}'s public face. */
public final class CudaEventTimer implements AutoCloseable {
    private final KernelTimer timer;

    /** A timer on {@code b}, which must be the CUDA backend. */
    public CudaEventTimer(Backend b) {
        if (!(b instanceof CudaBackend cuda)) throw new IllegalArgumentException("CUDA-event timing needs the CUDA backend, got " + b.name());
        this.timer = new KernelTimer(cuda);
    }

    /** Median GPU milliseconds of {@code work} over {@code runs} runs, each after a cold-L2 flush, after {@code warmup} untimed runs. */
    public double medianMillis(Runnable work, int warmup, int runs) { return timer.medianMillis(work, warmup, runs); }

    /** Median milliseconds of a device-to-device copy of {@code src} into {@code dst} (whole F32 buffers of the timer's backend). */
    public double copyMillis(org.lopt4j.tensor.Tensor dst, org.lopt4j.tensor.Tensor src, int warmup, int runs) {
        CudaBackend b = timer.backend();
        long bytes = (long) src.numel() * src.dtype().byteSize();
        return timer.medianMillis(() -> jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync(b.ptr(dst), b.ptr(src), bytes, b.stream()), warmup, runs);
    }

    /** Frees the device buffers of {@code tensors} now (benchmarks that allocate gigabytes). */
    public void release(org.lopt4j.tensor.Tensor... tensors) {
        for (org.lopt4j.tensor.Tensor t : tensors) ((CudaStorage) t.storage()).release();
    }

    @Override public void close() { timer.close(); }
}
