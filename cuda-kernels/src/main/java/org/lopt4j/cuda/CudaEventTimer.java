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

    @Override public void close() { timer.close(); }
}
