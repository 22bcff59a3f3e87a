package org.lopt4j.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per JVM whether the CUDA backend can run here, without ever crashing the JVM or poisoning JCuda
 * (STYLE §5): (1) {@code -Dlopt4j.cuda.disable=true} turns it off; (2) the driver library is looked up with FFM,
 * touching no JCuda class (JCuda's first touch without {@code libcuda.so.1} leaves {@code JCudaDriver} unusable for
 * the life of the JVM); (3) only then JCuda: {@code cuInit}, the driver version (13.0 or newer for PTX ISA 9.0),
 * the device, its compute capability (8.0 or newer for the compute_80 PTX), its primary context, then the backend
 * itself (stream and PTX modules); (4) any failure becomes an empty status with the reason; (5) {@link #status()}
 * caches the answer and logs one line.
 */
public final class CudaProbe {
    private static final System.Logger LOG = System.getLogger(CudaProbe.class.getName());
    /** Oldest driver that loads PTX ISA 9.0 (what nvcc 13 writes): CUDA 13.0, driver r580. */
    static final int MIN_DRIVER_VERSION = 13_000;
    /** Oldest compute capability the committed PTX targets (compute_80), as major * 10 + minor. */
    static final int MIN_COMPUTE_CAPABILITY = 80;

    private static Status cached;

    private CudaProbe() {}

    /**
     * How to probe: {@code disabled} skips CUDA entirely; {@code driverLibrary} is the driver's shared library;
     * {@code ordinal} picks the device; {@code syncEachLaunch} synchronizes after every kernel so an asynchronous
     * fault is reported against the kernel that caused it (slow; for debugging).
     */
    public record Config(boolean disabled, String driverLibrary, int ordinal, boolean syncEachLaunch) {
        /** {@code -Dlopt4j.cuda.disable}, {@code -Dlopt4j.cuda.device} and {@code -Dlopt4j.cuda.syncEachLaunch}. */
        public static Config fromSystemProperties() {
            return new Config(Boolean.getBoolean("lopt4j.cuda.disable"), "libcuda.so.1",
                    Integer.getInteger("lopt4j.cuda.device", 0), Boolean.getBoolean("lopt4j.cuda.syncEachLaunch"));
        }
    }

    /** The probe's answer: a started backend, or empty and the reason why not. */
    public record Status(Optional<CudaBackend> backend, String reason) {
        static Status ok(CudaBackend b) { return new Status(Optional.of(b), "CUDA backend on " + b.info()); }
        static Status no(String reason) { return new Status(Optional.empty(), reason); }
    }

    /** The answer for this JVM's system properties, probed on first use and cached; logs one line. */
    public static synchronized Status status() {
        if (cached == null) {
            cached = run(Config.fromSystemProperties());
            LOG.log(Level.INFO, cached.backend().isPresent() ? "lopt4j: " + cached.reason() : "lopt4j: CUDA backend off: " + cached.reason());
        }
        return cached;
    }

    /** Probes with {@code config}, uncached; never throws. */
    public static Status run(Config config) {
        if (config.disabled()) return Status.no("disabled by -Dlopt4j.cuda.disable=true");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT), arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Status.no("JCuda's natives ship for linux-x86_64 only, this is " + os + "-" + arch);
        }
        String missing = missingLibrary(config.driverLibrary());
        if (missing != null) return Status.no(missing);
        try {
            return startJCuda(config);
        } catch (CudaException e) {
            return Status.no("CUDA error while starting: " + e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            return Status.no("JCuda's native library did not load: " + e.getMessage());
        } catch (NoClassDefFoundError e) {
            return Status.no("JCuda is unusable in this JVM (an earlier load failed): " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Status.no("CUDA backend failed to start: " + e);
        }
    }

    /** Null when {@code library} can be opened, else the reason; pure FFM, no JCuda class is touched. */
    static String missingLibrary(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return null;
        } catch (IllegalArgumentException e) {
            return "no CUDA driver: " + library + " not found";
        } catch (IllegalCallerException e) {
            return "native access is denied (run with --enable-native-access=ALL-UNNAMED): " + e.getMessage();
        }
    }

    private static Status startJCuda(Config config) {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        int[] v = new int[1];
        JCudaDriver.cuDriverGetVersion(v);
        int driver = v[0];
        if (driver < MIN_DRIVER_VERSION) {
            return Status.no("CUDA driver too old: " + CudaDeviceInfo.versionString(driver) + " found, the PTX (ISA 9.0) needs "
                    + CudaDeviceInfo.versionString(MIN_DRIVER_VERSION) + " (r580) or newer");
        }
        JCudaDriver.cuDeviceGetCount(v);
        if (v[0] == 0) return Status.no("no CUDA device (driver " + CudaDeviceInfo.versionString(driver) + ")");
        if (config.ordinal() < 0 || config.ordinal() >= v[0]) {
            return Status.no("CUDA device " + config.ordinal() + " requested, " + v[0] + " present");
        }
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, config.ordinal());
        CudaDeviceInfo info = describe(device, config.ordinal(), driver);
        if (info.major() * 10 + info.minor() < MIN_COMPUTE_CAPABILITY) {
            return Status.no(info + ": compute capability " + info.major() + "." + info.minor() + " is below "
                    + MIN_COMPUTE_CAPABILITY / 10 + "." + MIN_COMPUTE_CAPABILITY % 10 + ", the PTX target");
        }
        CUcontext context = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        try {
            return Status.ok(new CudaBackend(info, device, context, config.syncEachLaunch()));
        } catch (RuntimeException | LinkageError e) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    private static CudaDeviceInfo describe(CUdevice device, int ordinal, int driver) {
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        int[] a = new int[1];
        JCudaDriver.cuDeviceGetAttribute(a, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        int major = a[0];
        JCudaDriver.cuDeviceGetAttribute(a, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        int minor = a[0];
        JCudaDriver.cuDeviceGetAttribute(a, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        int sms = a[0];
        long[] total = new long[1];
        JCudaDriver.cuDeviceTotalMem(total, device);
        return new CudaDeviceInfo(ordinal, new String(name, 0, len, StandardCharsets.US_ASCII), major, minor, sms, total[0], driver);
    }
}
