package org.lopt4j.cuda.sim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Assumptions;

/**
 * A context of its own on the CUDA simulator (cuda-kernels/src/test/sim) with the simulator's test kernels
 * (src/test/sim/kernels/sim_checks.cu) loaded: a failed check makes a context unusable, as a fault does on a GPU, so
 * each test opens and closes one. The simulator resolves a module by the {@code .entry} names of its PTX; these
 * kernels have no PTX (they exist for the simulator only), so their module image is just those names.
 */
final class SimulatedDevice implements AutoCloseable {
    /** Entry points of sim_checks.cu. */
    static final String[] KERNELS = {"sim_block_sum", "sim_warp_ops", "sim_ticket_order", "sim_missing_sync", "sim_reduce_off_by_one",
        "sim_racy_shared_write", "sim_uninitialized_shared", "sim_divergent_barrier", "sim_split_barrier",
        "sim_divergent_shuffle", "sim_out_of_bounds_write", "sim_misaligned_store", "sim_read", "sim_trap"};

    /** What a failed launch left: the CUDA error and the simulator's report. */
    record Failure(String error, String report) {}

    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();

    private SimulatedDevice() {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, 0);
        JCudaDriver.cuCtxCreate(context, 0, device);
        StringBuilder image = new StringBuilder();
        for (String k : KERNELS) image.append(".visible .entry ").append(k).append("(\n");
        JCudaDriver.cuModuleLoadData(module, image.toString());
    }

    /** A fresh context on the simulator; skips (or fails, with -Dlopt4j.gpu.required=true) when it is not the driver. */
    static SimulatedDevice open() {
        if (symbol("lopt4j_sim_last_error").isEmpty()) {
            String why = "libcuda.so.1 is not the CUDA simulator (run the cuda-sim test execution)";
            if (Boolean.getBoolean("lopt4j.gpu.required")) fail(why);
            Assumptions.abort(why);
        }
        return new SimulatedDevice();
    }

    private static Optional<MemorySegment> symbol(String name) {
        try {
            return SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()).find(name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor d) {
        return Linker.nativeLinker().downcallHandle(symbol(name).orElseThrow(), d);
    }

    /** The simulator's last error report. */
    static String lastReport() {
        try {
            MemorySegment s = (MemorySegment) downcall("lopt4j_sim_last_error", FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The seed of the simulator's random schedule. */
    static long seed() {
        try {
            return (long) downcall("lopt4j_sim_seed", FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Seeds the simulator's random schedule: the k-th launch from now on depends on the seed and k only. */
    static void seed(long seed) {
        try {
            downcall("lopt4j_sim_set_seed", FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG)).invokeExact(seed);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    CUfunction function(String name) {
        CUfunction f = new CUfunction();
        JCudaDriver.cuModuleGetFunction(f, module, name);
        return f;
    }

    CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(p, bytes);
        return p;
    }

    CUdeviceptr floats(float... values) {
        CUdeviceptr p = alloc(4L * values.length);
        JCudaDriver.cuMemcpyHtoD(p, Pointer.to(values), 4L * values.length);
        return p;
    }

    float[] readFloats(CUdeviceptr p, int n) {
        float[] out = new float[n];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(out), p, 4L * n);
        return out;
    }

    int[] readInts(CUdeviceptr p, int n) {
        int[] out = new int[n];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(out), p, 4L * n);
        return out;
    }

    /** Launches a 1-D grid and waits for it; arguments are device pointers or ints. */
    void run(String kernel, int blocks, int threads, int sharedBytes, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                default -> throw new IllegalArgumentException("argument " + args[i]);
            };
        }
        JCudaDriver.cuLaunchKernel(function(kernel), blocks, 1, 1, threads, 1, 1, sharedBytes, null, Pointer.to(params), null);
        JCudaDriver.cuCtxSynchronize();
    }

    /** Runs a launch that must fail, and what it left. */
    Failure failure(String kernel, int blocks, int threads, Object... args) {
        CudaException e = assertThrows(CudaException.class, () -> run(kernel, blocks, threads, 0, args), kernel + " should fail");
        return new Failure(e.getMessage(), lastReport());
    }

    @Override public void close() {
        JCudaDriver.cuCtxDestroy(context);
    }
}
