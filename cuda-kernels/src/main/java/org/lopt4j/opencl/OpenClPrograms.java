package org.lopt4j.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_SUCCESS;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;
import org.lopt4j.tensor.DType;

/**
 * The programs and kernels of one context, built on first use and cached for the life of the backend. Build options:
 * {@code -cl-fp32-correctly-rounded-divide-sqrt} where the device offers it (the random kernels' bit-exactness needs
 * it), {@code -D LOPT4J_FP64} where it has cl_khr_fp64, and {@code -D LOPT4J_F32|F64|I32} for a generic program's
 * element type. A failed build throws {@link OpenClKernelException} with the compiler's build log.
 */
final class OpenClPrograms {
    private record Key(ClProgram program, DType variant) {}

    private final cl_context context;
    private final cl_device_id device;
    private final OpenClDeviceInfo info;
    private final Map<Key, cl_program> programs = new HashMap<>();
    private final Map<Key, Map<String, cl_kernel>> kernels = new HashMap<>();

    OpenClPrograms(cl_context context, cl_device_id device, OpenClDeviceInfo info) {
        this.context = context;
        this.device = device;
        this.info = info;
    }

    /**
     * The kernel {@code name} of {@code program} built for {@code variant} (ignored for a program that is not generic).
     * Callers must hold the backend's launch lock: a cl_kernel's arguments are shared state.
     */
    cl_kernel kernel(ClProgram program, DType variant, String name) {
        Key key = new Key(program, program.generic() ? variant : null);
        Map<String, cl_kernel> byName = kernels.computeIfAbsent(key, k -> new HashMap<>());
        cl_kernel k = byName.get(name);
        if (k == null) {
            cl_program p = programs.computeIfAbsent(key, this::build);
            try {
                k = CL.clCreateKernel(p, name, null);
            } catch (CLException e) {
                throw new OpenClKernelException("kernel " + name + " of " + program.file() + " on " + info.name() + ": " + e.getMessage(), e);
            }
            byName.put(name, k);
        }
        return k;
    }

    /** The options {@code key} is built with. */
    String options(ClProgram program, DType variant) {
        StringBuilder o = new StringBuilder("-cl-std=CL1.2");
        if (info.correctlyRoundedDivideSqrt()) o.append(" -cl-fp32-correctly-rounded-divide-sqrt");
        if (info.fp64()) o.append(" -D LOPT4J_FP64");
        if (program.generic()) o.append(" -D LOPT4J_").append(variant.name());
        return o.toString();
    }

    private cl_program build(Key key) {
        if (key.program().generic() && key.variant() == DType.F64 && !info.fp64()) {
            throw new IllegalArgumentException(info.name() + " has no cl_khr_fp64: F64 kernels cannot be built");
        }
        return compile(key.program().file(), key.program().sources(),
                options(key.program(), key.variant()));
    }

    /** Builds {@code sources} (named {@code what} in errors) for this device; a failure carries the build log. */
    cl_program compile(String what, String[] sources, String options) {
        cl_program p = CL.clCreateProgramWithSource(context, sources.length, sources, null, null);
        try {
            CL.clBuildProgram(p, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            CL.clReleaseProgram(p);
            throw new OpenClKernelException("building " + what + " with \"" + options + "\" on " + info.name()
                    + " failed (" + e.getMessage() + "); build log:\n" + log, e);
        }
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            if (CL.clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, null, size) != CL_SUCCESS) return "(no log)";
            byte[] log = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            int n = log.length;
            while (n > 0 && log[n - 1] == 0) n--;
            return new String(log, 0, n, StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "(build log unavailable: " + e.getMessage() + ")";
        }
    }
}
