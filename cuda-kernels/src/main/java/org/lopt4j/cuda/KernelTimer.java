package org.lopt4j.cuda;

import java.util.Arrays;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;

/**
 * GPU time of a queued piece of work from CUDA events on the backend's stream, llm.c's way: before each timed run a
 * scratch buffer larger than the L2 cache is overwritten (so every run starts with a cold L2), then start event,
 * the work, stop event; the result is the median over the runs, in milliseconds. Host time is not measured.
 */
final class KernelTimer implements AutoCloseable {
    /** Bytes overwritten before each run: above the 50 MiB L2 of an H100 and the 60 MiB of an H200... and then some. */
    static final int FLUSH_BYTES = 256 << 20;

    private final CudaBackend b;
    private final Tensor flush;
    private final CUevent start = new CUevent(), stop = new CUevent();

    /** The backend whose stream this timer measures. */
    CudaBackend backend() { return b; }

    KernelTimer(CudaBackend b) {
        this.b = b;
        b.enter();
        this.flush = Tensor.zeros(b, DType.I32, FLUSH_BYTES / 4);
        JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
    }

    /** Median milliseconds of {@code work} over {@code runs} timed runs after {@code warmup} untimed ones. */
    double medianMillis(Runnable work, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) work.run();
        double[] ms = new double[runs];
        float[] elapsed = new float[1];
        for (int r = 0; r < runs; r++) {
            b.enter();
            b.memset32(b.ptr(flush), r, flush.numel());
            JCudaDriver.cuEventRecord(start, b.stream());
            work.run();
            JCudaDriver.cuEventRecord(stop, b.stream());
            JCudaDriver.cuEventSynchronize(stop);
            JCudaDriver.cuEventElapsedTime(elapsed, start, stop);
            ms[r] = elapsed[0];
        }
        Arrays.sort(ms);
        return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    }

    @Override public void close() {
        b.enter();
        JCudaDriver.cuEventDestroy(start);
        JCudaDriver.cuEventDestroy(stop);
    }
}
