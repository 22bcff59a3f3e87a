package org.lopt4j.tensor;

/** Element types: F32 everywhere, F64 on the CPU backends for references and gradient checks, I32 for indices. */
public enum DType {
    F32(4, "F32"), F64(8, "F64"), I32(4, "I32");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** The dtype's name in a safetensors header. */
    public String safetensorsName() { return safetensorsName; }

    /** Whether this is a floating-point type. */
    public boolean isFloating() { return this != I32; }
}
