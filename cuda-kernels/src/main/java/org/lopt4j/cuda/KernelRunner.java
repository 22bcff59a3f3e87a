package org.lopt4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Loads every PTX module of {@link Kernels#ALL} from the classpath once ({@code cuModuleLoadData}), resolves each
 * entry point once, and launches kernels on one stream with checked errors: a failed launch, or a fault found at the
 * next synchronization, becomes a {@link CudaKernelException} naming the kernel and the CUDA error.
 */
final class KernelRunner {
    private final CUstream stream;
    private final boolean syncEachLaunch;
    private final Map<KernelSpec, CUfunction> functions = new HashMap<>();
    private volatile String lastKernel = "(none yet)";

    /** Call with the device's context current. */
    KernelRunner(CUstream stream, boolean syncEachLaunch) {
        this.stream = stream;
        this.syncEachLaunch = syncEachLaunch;
        Map<String, CUmodule> modules = new HashMap<>();
        for (KernelSpec spec : Kernels.ALL) {
            CUmodule module = modules.computeIfAbsent(spec.ptxFile(), f -> load(spec));
            CUfunction fn = new CUfunction();
            try {
                JCudaDriver.cuModuleGetFunction(fn, module, spec.name());
            } catch (CudaException e) {
                throw new CudaKernelException("kernel " + spec.name() + " not found in " + spec.ptxResource() + ": " + e.getMessage(), e);
            }
            functions.put(spec, fn);
        }
    }

    /** Queues {@code spec} with {@code args} (whose record type must be the spec's) on the stream. */
    void launch(KernelSpec spec, LaunchGeometry g, Record args) {
        if (args.getClass() != spec.args()) {
            throw new IllegalArgumentException("kernel " + spec.name() + " takes " + spec.args().getSimpleName() + ", not "
                    + args.getClass().getSimpleName());
        }
        CUfunction fn = functions.get(spec);
        lastKernel = spec.name();
        try {
            JCudaDriver.cuLaunchKernel(fn, g.gridX(), g.gridY(), g.gridZ(), g.blockX(), 1, 1, 0, stream,
                    LaunchArgs.pack(args), null);
        } catch (CudaException e) {
            throw new CudaKernelException("kernel " + spec.name() + " failed to launch with " + g + ": " + e.getMessage(), e);
        }
        if (syncEachLaunch) sync("kernel " + spec.name());
    }

    /** Waits for the stream; a fault is reported against {@code what} and the last kernel launched. */
    void sync(String what) {
        try {
            JCudaDriver.cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw new CudaKernelException(what + " failed: " + e.getMessage() + " (last kernel launched: " + lastKernel
                    + "; run with -Dlopt4j.cuda.syncEachLaunch=true to pin it down)", e);
        }
    }

    private static CUmodule load(KernelSpec spec) {
        byte[] ptx;
        try (InputStream in = KernelRunner.class.getResourceAsStream(spec.ptxResource())) {
            if (in == null) throw new IllegalStateException("PTX resource " + spec.ptxResource() + " is missing from the classpath");
            ptx = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read PTX resource " + spec.ptxResource(), e);
        }
        CUmodule module = new CUmodule();
        try {
            JCudaDriver.cuModuleLoadData(module, Arrays.copyOf(ptx, ptx.length + 1));   // NUL-terminated text
        } catch (CudaException e) {
            throw new CudaKernelException("loading " + spec.ptxResource() + " failed: " + e.getMessage(), e);
        }
        return module;
    }
}
