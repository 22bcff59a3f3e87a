package org.lopt4j.opencl;

import static org.jocl.CL.CL_DEVICE_AVAILABLE;
import static org.jocl.CL.CL_DEVICE_COMPILER_AVAILABLE;
import static org.jocl.CL.CL_DEVICE_ENDIAN_LITTLE;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;
import static org.jocl.CL.CL_PLATFORM_NAME;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Lists the OpenCL devices of every platform by preferred type and says why an unusable one is refused. */
final class OpenClDevices {
    private OpenClDevices() {}

    /** A usable device and what the probe learned about it. */
    record Candidate(cl_device_id device, OpenClDeviceInfo info) {}

    /**
     * Adds every usable device of the given types to {@code usable}, all devices of the first type before any of the
     * second and so on (platform order, then device order, within a type), and one reason per refused device to
     * {@code refused}. Needs {@code CL.setExceptionsEnabled(true)}.
     */
    static void find(List<OpenClProbe.DeviceType> types, List<Candidate> usable, List<String> refused) {
        int[] n = new int[1];
        CL.clGetPlatformIDs(0, null, n);
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        CL.clGetPlatformIDs(platforms.length, platforms, null);
        for (OpenClProbe.DeviceType type : types) {
            for (int p = 0; p < platforms.length; p++) {
                cl_device_id[] all = devices(platforms[p], CL.CL_DEVICE_TYPE_ALL);
                for (cl_device_id d : devices(platforms[p], type.mask)) {
                    int index = indexOf(all, d);
                    OpenClDeviceInfo info = describe(platforms[p], p, d, index, type.name());
                    String why = refusal(d, info);
                    if (why == null) usable.add(new Candidate(d, info));
                    else refused.add(info.name() + ": " + why);
                }
            }
        }
    }

    /** Null when the kernels can run on {@code d}, else why not. */
    private static String refusal(cl_device_id d, OpenClDeviceInfo info) {
        if (intInfo(d, CL_DEVICE_AVAILABLE) == 0) return "not available";
        if (intInfo(d, CL_DEVICE_COMPILER_AVAILABLE) == 0) return "no OpenCL C compiler";
        if (intInfo(d, CL_DEVICE_ENDIAN_LITTLE) == 0) return "big-endian (kernel arguments are packed little-endian)";
        if (info.maxWorkGroupSize() < ClConstants.GEMM_THREADS) {
            return "work-groups of at most " + info.maxWorkGroupSize() + " (the matmul kernel needs " + ClConstants.GEMM_THREADS + ")";
        }
        return null;
    }

    private static cl_device_id[] devices(cl_platform_id platform, long type) {
        int[] n = new int[1];
        try {
            CL.clGetDeviceIDs(platform, type, 0, null, n);
        } catch (CLException e) {
            if (e.getStatus() == CL_DEVICE_NOT_FOUND) return new cl_device_id[0];
            throw e;
        }
        cl_device_id[] ds = new cl_device_id[n[0]];
        CL.clGetDeviceIDs(platform, type, ds.length, ds, null);
        return ds;
    }

    private static int indexOf(cl_device_id[] all, cl_device_id d) {
        for (int i = 0; i < all.length; i++) if (all[i].equals(d)) return i;
        return -1;
    }

    private static OpenClDeviceInfo describe(cl_platform_id platform, int p, cl_device_id d, int index, String type) {
        long[] fp = new long[1];
        CL.clGetDeviceInfo(d, CL_DEVICE_SINGLE_FP_CONFIG, Sizeof.cl_long, Pointer.to(fp), null);
        boolean fp64 = (" " + stringInfo(d, CL_DEVICE_EXTENSIONS) + " ").contains(" cl_khr_fp64 ");
        return new OpenClDeviceInfo(p, index, platformName(platform), stringInfo(d, CL_DEVICE_NAME), type,
                stringInfo(d, CL_DEVICE_VERSION), intInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                sizeInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE), longInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE), fp64,
                (fp[0] & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0);
    }

    private static String platformName(cl_platform_id platform) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, CL_PLATFORM_NAME, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(platform, CL_PLATFORM_NAME, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String stringInfo(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static int intInfo(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static long longInfo(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static long sizeInfo(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
