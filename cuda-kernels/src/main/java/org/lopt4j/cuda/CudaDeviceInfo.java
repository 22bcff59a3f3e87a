package org.lopt4j.cuda;

/** What the probe learned about the device: its ordinal, name, compute capability, size and the driver version. */
public record CudaDeviceInfo(int ordinal, String name, int major, int minor, int multiprocessors, long totalBytes,
                             int driverVersion) {
    /** The driver version as CUDA prints it, e.g. 13000 -> "13.0". */
    public static String versionString(int v) { return v / 1000 + "." + (v % 1000) / 10; }

    @Override public String toString() {
        return name + " (cuda:" + ordinal + ", sm_" + major + minor + ", " + multiprocessors + " SMs, "
                + (totalBytes >> 20) + " MiB, driver " + versionString(driverVersion) + ")";
    }
}
