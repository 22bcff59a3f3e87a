package org.lopt4j.cuda;

/**
 * One {@code extern "C" __global__} entry point: its name in the PTX, the record whose components are its
 * parameters in order (what a launch passes), and the PTX resource it lives in.
 */
public record KernelSpec(String name, Class<? extends Record> args, String ptxFile) {
    /** Classpath folder of the committed PTX. */
    public static final String PTX_RESOURCE_DIR = "/org/lopt4j/cuda/ptx/";

    public KernelSpec {
        if (!ptxFile.endsWith(".ptx") || !name.startsWith(ptxFile.substring(0, ptxFile.length() - 4) + "_")) {
            throw new IllegalArgumentException("kernel " + name + " must be named <file>_<phase> after its PTX " + ptxFile);
        }
    }

    /** The PTX's classpath resource name. */
    public String ptxResource() { return PTX_RESOURCE_DIR + ptxFile; }
}
