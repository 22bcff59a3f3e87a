package org.lopt4j.opencl;

/**
 * One OpenCL device as the probe found it: {@code platform} and {@code index} locate it (index within its platform),
 * {@code type} is "GPU", "CPU" or "ACCELERATOR"; {@code fp64} says cl_khr_fp64 is present (F64 tensors), and
 * {@code correctlyRoundedDivideSqrt} that float / and sqrt can be built correctly rounded.
 */
public record OpenClDeviceInfo(int platform, int index, String platformName, String name, String type, String version,
                               int computeUnits, long maxWorkGroupSize, long globalMemBytes, boolean fp64,
                               boolean correctlyRoundedDivideSqrt) {
    @Override public String toString() {
        return name + " (" + type + ", " + platformName + ", " + version + ", " + computeUnits + " compute units, "
                + globalMemBytes / (1L << 20) + " MiB" + (fp64 ? ", fp64" : "") + ")";
    }
}
