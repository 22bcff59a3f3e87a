package org.lopt4j.opencl;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;

/**
 * Decides once per JVM whether the OpenCL backend can run here, without ever crashing the JVM (STYLE §5): (1)
 * {@code -Dlopt4j.opencl.disable=true} turns it off; (2) the ICD loader library is looked up with FFM, touching no JOCL
 * class (JOCL's class initializer throws when it cannot load OpenCL, which leaves its classes unusable for the life of
 * the JVM); (3) only then JOCL: platforms, devices ordered by {@link Config#types()} (GPUs before CPUs by default),
 * the {@link Config#ordinal()}-th usable one, its context and queue; (4) any failure becomes an empty status with the
 * reason; (5) {@link #status()} caches the answer and logs one line.
 */
public final class OpenClProbe {
    private static final System.Logger LOG = System.getLogger(OpenClProbe.class.getName());

    private static Status cached;

    private OpenClProbe() {}

    /** Device kinds the probe may pick, in the order it prefers them. */
    public enum DeviceType {
        GPU(CL.CL_DEVICE_TYPE_GPU), CPU(CL.CL_DEVICE_TYPE_CPU), ACCELERATOR(CL.CL_DEVICE_TYPE_ACCELERATOR);

        final long mask;

        DeviceType(long mask) { this.mask = mask; }
    }

    /**
     * How to probe: {@code disabled} skips OpenCL entirely; {@code library} is the ICD loader's shared library;
     * {@code types} are the device kinds to consider, preferred first; {@code ordinal} picks among the usable devices
     * in that order (0 = the first).
     */
    public record Config(boolean disabled, String library, List<DeviceType> types, int ordinal) {
        public Config {
            types = List.copyOf(types);
            if (types.isEmpty()) throw new IllegalArgumentException("OpenCL probe: no device types to consider");
        }

        /** GPUs first, then CPUs, the first usable device. */
        public static Config defaults() { return new Config(false, "libOpenCL.so.1", List.of(DeviceType.GPU, DeviceType.CPU), 0); }

        /**
         * {@code -Dlopt4j.opencl.disable}, {@code -Dlopt4j.opencl.types} (comma-separated, e.g. "gpu,cpu") and
         * {@code -Dlopt4j.opencl.device} (the ordinal) over {@link #defaults()}.
         */
        public static Config fromSystemProperties() {
            Config d = defaults();
            String types = System.getProperty("lopt4j.opencl.types");
            List<DeviceType> t = d.types();
            if (types != null && !types.isBlank()) {
                t = new ArrayList<>();
                for (String s : types.split(",")) {
                    try {
                        t.add(DeviceType.valueOf(s.trim().toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("-Dlopt4j.opencl.types: unknown device type '" + s.trim() + "' (gpu, cpu, accelerator)", e);
                    }
                }
            }
            return new Config(Boolean.getBoolean("lopt4j.opencl.disable"), d.library(), t, Integer.getInteger("lopt4j.opencl.device", 0));
        }
    }

    /** The probe's answer: a started backend, or empty and the reason why not. */
    public record Status(Optional<OpenClBackend> backend, String reason) {
        static Status ok(OpenClBackend b) { return new Status(Optional.of(b), "OpenCL backend on " + b.info()); }
        static Status no(String reason) { return new Status(Optional.empty(), reason); }
    }

    /** The answer for this JVM's system properties, probed on first use and cached; logs one line. */
    public static synchronized Status status() {
        if (cached == null) {
            try {
                cached = run(Config.fromSystemProperties());
            } catch (IllegalArgumentException e) {
                cached = Status.no(e.getMessage());
            }
            LOG.log(Level.INFO, cached.backend().isPresent() ? "lopt4j: " + cached.reason() : "lopt4j: OpenCL backend off: " + cached.reason());
        }
        return cached;
    }

    /** Probes with {@code config}, uncached; never throws. */
    public static Status run(Config config) {
        if (config.disabled()) return Status.no("disabled by -Dlopt4j.opencl.disable=true");
        String missing = missingLibrary(config.library());
        if (missing != null) return Status.no(missing);
        try {
            return start(config);
        } catch (CLException e) {
            return Status.no("OpenCL error while starting: " + e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            return Status.no("JOCL's native library did not load: " + e.getMessage());
        } catch (NoClassDefFoundError | ExceptionInInitializerError e) {
            return Status.no("JOCL is unusable in this JVM (an earlier load failed): " + e);
        } catch (RuntimeException | LinkageError e) {
            return Status.no("OpenCL backend failed to start: " + e);
        }
    }

    /** Null when {@code library} can be opened, else the reason; pure FFM, no JOCL class is touched. */
    static String missingLibrary(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return null;
        } catch (IllegalArgumentException e) {
            return "no OpenCL ICD loader: " + library + " not found (Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd)";
        } catch (IllegalCallerException e) {
            return "native access is denied (run with --enable-native-access=ALL-UNNAMED): " + e.getMessage();
        }
    }

    @SuppressWarnings("deprecation")   // clCreateCommandQueue: the OpenCL 1.2 call, which 1.2 devices (PoCL's C 1.2) need
    private static Status start(Config config) {
        CL.setExceptionsEnabled(true);
        List<OpenClDevices.Candidate> usable = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        OpenClDevices.find(config.types(), usable, refused);
        if (usable.isEmpty()) {
            return Status.no(refused.isEmpty() ? "no OpenCL device of type " + config.types() : "no usable OpenCL device: " + String.join("; ", refused));
        }
        if (config.ordinal() < 0 || config.ordinal() >= usable.size()) {
            return Status.no("OpenCL device " + config.ordinal() + " requested, " + usable.size() + " usable present");
        }
        OpenClDevices.Candidate c = usable.get(config.ordinal());
        cl_device_id[] devices = {c.device()};
        cl_context context = CL.clCreateContext(null, 1, devices, null, null, null);
        try {
            cl_command_queue queue = CL.clCreateCommandQueue(context, c.device(), 0, null);
            return Status.ok(new OpenClBackend(c.info(), context, queue, new OpenClPrograms(context, c.device(), c.info())));
        } catch (RuntimeException | LinkageError e) {
            CL.clReleaseContext(context);
            throw e;
        }
    }
}
