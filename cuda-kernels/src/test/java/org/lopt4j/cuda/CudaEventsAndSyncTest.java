package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/** The benchmarks' CUDA-event timer and the -Dlopt4j.cuda.syncEachLaunch debugging mode, on the GPU tests' device. */
@Tag("gpu")
class CudaEventsAndSyncTest {
    @Test void eventsTimeTheQueuedWork() {
        CudaBackend cuda = GpuSupport.backendOrSkip();
        Tensor x = Tensor.zeros(cuda, DType.F32, Shape.of(1000));
        double ms;
        try (CudaEventTimer timer = new CudaEventTimer(cuda)) {
            ms = timer.medianMillis(() -> x.fill(2), 1, 3);
        }
        assertTrue(ms >= 0 && Double.isFinite(ms), "median of the event times: " + ms);
        float[] want = new float[1000];
        java.util.Arrays.fill(want, 2f);
        assertArrayEquals(want, x.toFloatArray(), "the timed work ran");
    }

    @Test void aBackendThatSynchronizesAfterEveryLaunchComputesTheSame() {
        GpuSupport.backendOrSkip();
        CudaProbe.Config c = CudaProbe.Config.fromSystemProperties();
        CudaBackend sync = CudaProbe.run(new CudaProbe.Config(false, c.driverLibrary(), c.ordinal(), true)).backend().orElseThrow();
        Tensor a = Tensor.of(sync, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(sync, new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new float[] {4, 5, 10, 11}, a.matmul(b).toFloatArray());
        assertArrayEquals(new float[] {6, 15}, a.sumKeep(1).toFloatArray());
    }
}
