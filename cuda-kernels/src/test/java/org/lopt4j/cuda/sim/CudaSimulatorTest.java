package org.lopt4j.cuda.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.IntStream;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Test;

/**
 * The CUDA simulator's checks, each shown firing on a deliberately broken kernel of sim_checks.cu (and staying quiet
 * on correct ones), plus the parts of its model the backend's tests rely on: a seeded, reproducible random
 * interleaving, poisoned fresh memory, stream order, sticky launch failures and the launch configuration checks.
 */
class CudaSimulatorTest {
    private static final int THREADS = 256;

    private static void assertReport(SimulatedDevice.Failure f, String error, String... fragments) {
        assertEquals(error, f.error(), f.report());
        for (String s : fragments) assertTrue(f.report().contains(s), "the report should mention '" + s + "': " + f.report());
    }

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    @Test void correctKernelsPassEveryCheck() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            int n = 10_000;
            CUdeviceptr x = d.floats(iota(n)), out = d.floats(0f);
            d.run("sim_block_sum", 7, THREADS, THREADS / 32 * 4, x, out, n);
            assertEquals((double) n * (n - 1) / 2, d.readFloats(out, 1)[0], 1e-6 * n * n);
        }
    }

    @Test void warpCollectivesFollowPtxSemantics() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            int threads = 64;
            CUdeviceptr out = d.alloc(4L * 8 * threads);
            d.run("sim_warp_ops", 1, threads, 0, out);
            int[] o = d.readInts(out, 8 * threads);
            int ballot = 0;
            for (int lane = 0; lane < 32; lane += 3) ballot |= 1 << lane;
            for (int t = 0; t < threads; t++) {
                int lane = t % 32, warp = t - lane;
                int[] want = {warp + 3, warp + lane / 8 * 8 + (lane + 1) % 8, lane % 16 >= 2 ? t - 2 : t, lane + 4 < 32 ? t + 4 : t,
                    warp + (lane ^ 5), ballot, 1 + 2, 5 * 2 + 1000 + 10000};
                for (int k = 0; k < want.length; k++) assertEquals(want[k], o[8 * t + k], "thread " + t + " result " + k);
            }
        }
    }

    @Test void theScheduleIsRandomAndReproducibleFromTheSeed() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            long before = SimulatedDevice.seed();
            int[][] orders = new int[3][];
            long[] seeds = {11, 11, 12};
            try {
                for (int r = 0; r < 3; r++) {
                    SimulatedDevice.seed(seeds[r]);
                    CUdeviceptr counter = d.alloc(4), order = d.alloc(4L * THREADS);
                    JCudaDriver.cuMemsetD32(counter, 0, 1);
                    d.run("sim_ticket_order", 1, THREADS, 0, counter, order);
                    orders[r] = d.readInts(order, THREADS);
                }
            } finally {
                SimulatedDevice.seed(before);
            }
            assertArrayEquals(orders[0], orders[1], "same seed, same interleaving");
            assertFalse(Arrays.equals(orders[0], orders[2]), "another seed, another interleaving");
            assertFalse(Arrays.equals(orders[0], IntStream.range(0, THREADS).toArray()), "not thread order");
            assertArrayEquals(IntStream.range(0, THREADS).toArray(), Arrays.stream(orders[0]).sorted().toArray(), "every thread drew once");
        }
    }

    @Test void aMissingSyncthreadsIsARace() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_missing_sync", 1, THREADS, d.floats(iota(THREADS)), d.alloc(4L * THREADS));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "race on __shared__ sim_missing_sync::tile", "no __syncthreads between");
        }
    }

    @Test void anOffByOneInAReductionReadsPastTheSharedArray() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_reduce_off_by_one", 1, THREADS, d.floats(iota(THREADS)), d.alloc(4));
            assertReport(f, "CUDA_ERROR_ILLEGAL_ADDRESS", "4-byte read of shared memory out of bounds",
                    "1024 bytes after the start of __shared__ sim_reduce_off_by_one::tile (1024 bytes)", "sim_checks.cu:");
        }
    }

    @Test void aRacySharedWriteIsReported() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_racy_shared_write", 1, THREADS, d.alloc(4));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "race on __shared__ sim_racy_shared_write::best bytes [0, 4)", "a write after");
        }
    }

    @Test void readingUnwrittenSharedMemoryIsReported() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_uninitialized_shared", 1, 64, d.alloc(4 * 64));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "read of uninitialized __shared__ sim_uninitialized_shared::tile",
                    "not written since the block started");
        }
    }

    @Test void aBarrierInDivergentCodeIsReported() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_divergent_barrier", 1, 64, d.alloc(4 * 64));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "is not reached by every thread of the block", "16 of 64 threads wait there");
        }
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_split_barrier", 1, 64, d.alloc(4 * 64));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "threads of the block wait at different barriers");
        }
    }

    @Test void aShuffleSomeLanesNeverReachIsReported() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            SimulatedDevice.Failure f = d.failure("sim_divergent_shuffle", 1, 64, d.alloc(4 * 64));
            assertReport(f, "CUDA_ERROR_LAUNCH_FAILED", "__shfl_xor_sync");
        }
    }

    @Test void anOutOfBoundsGlobalWriteNamesTheAllocation() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            int n = 1000;
            SimulatedDevice.Failure f = d.failure("sim_out_of_bounds_write", 4, THREADS, d.alloc(4L * n), n);
            assertReport(f, "CUDA_ERROR_ILLEGAL_ADDRESS", "4-byte write of global memory", "reaches 4 bytes past the end of the 4000-byte allocation",
                    "thread (232,0,0)", "block (3,0,0)");
        }
    }

    @Test void misalignedAndFreedMemoryAreReported() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            assertReport(d.failure("sim_misaligned_store", 1, 1, d.alloc(64)), "CUDA_ERROR_MISALIGNED_ADDRESS", "is not 4-byte aligned");
        }
        try (SimulatedDevice d = SimulatedDevice.open()) {
            CUdeviceptr x = d.floats(iota(32)), out = d.alloc(4 * 32);
            JCudaDriver.cuMemFree(x);
            assertReport(d.failure("sim_read", 1, 32, x, out), "CUDA_ERROR_ILLEGAL_ADDRESS", "which was freed");
        }
    }

    @Test void trapEndsTheLaunchAndTheContextStaysFailed() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            CUdeviceptr out = d.alloc(4 * 32);
            assertReport(d.failure("sim_trap", 1, 32, out), "CUDA_ERROR_LAUNCH_FAILED", "__trap()", "thread (7,0,0)");
            CudaException later = assertThrows(CudaException.class, () -> d.readFloats(out, 1), "a failed launch is sticky");
            assertEquals("CUDA_ERROR_LAUNCH_FAILED", later.getMessage());
        }
        try (SimulatedDevice d = SimulatedDevice.open()) {
            assertEquals(1f, d.readFloats(d.floats(1f), 1)[0], "a new context works");
        }
    }

    @Test void freshMemoryIsPoisoned() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            int[] v = d.readInts(d.alloc(4 * 16), 16);
            for (int x : v) assertEquals(-1, x, "0xFF bytes: NaN as a float, -1 as an int");
        }
    }

    @Test void queuedWorkRunsWhenSomethingWaitsForIt() {
        try (SimulatedDevice d = SimulatedDevice.open()) {
            CUstream nonBlocking = new CUstream(), blocking = new CUstream();
            JCudaDriver.cuStreamCreate(nonBlocking, CUstream_flags.CU_STREAM_NON_BLOCKING);
            JCudaDriver.cuStreamCreate(blocking, CUstream_flags.CU_STREAM_DEFAULT);
            CUdeviceptr a = d.alloc(4), b = d.alloc(4);
            JCudaDriver.cuMemsetD32Async(a, 7, 1, nonBlocking);
            JCudaDriver.cuMemsetD32Async(b, 7, 1, blocking);
            assertEquals(-1, d.readInts(a, 1)[0], "a synchronous copy does not wait for a non-blocking stream");
            assertEquals(7, d.readInts(b, 1)[0], "it waits for a blocking one (legacy default stream order)");
            JCudaDriver.cuStreamSynchronize(nonBlocking);
            assertEquals(7, d.readInts(a, 1)[0]);
        }
    }

    @Test void theRealModulesLoadFromTheirPtxAndLaunchBoundsHold() throws IOException {
        try (SimulatedDevice d = SimulatedDevice.open(); InputStream in = CudaSimulatorTest.class.getResourceAsStream("/org/lopt4j/cuda/ptx/matmul.ptx")) {
            byte[] ptx = in.readAllBytes();
            CUmodule m = new CUmodule();
            JCudaDriver.cuModuleLoadData(m, Arrays.copyOf(ptx, ptx.length + 1));
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, m, "matmul_sgemm");
            Pointer[] args = new Pointer[17];
            Arrays.setAll(args, i -> Pointer.to(new long[16]));
            CudaException e = assertThrows(CudaException.class, () -> JCudaDriver.cuLaunchKernel(f, 1, 1, 1, 512, 1, 1, 0, null,
                    Pointer.to(args), null));
            assertEquals("CUDA_ERROR_INVALID_VALUE", e.getMessage());
            assertTrue(SimulatedDevice.lastReport().contains("exceed its __launch_bounds__(256)"), SimulatedDevice.lastReport());
            assertThrows(CudaException.class, () -> JCudaDriver.cuModuleGetFunction(new CUfunction(), m, "no_such_kernel"));
        }
    }
}
