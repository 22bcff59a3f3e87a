package org.lopt4j.tensor.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/**
 * The safetensors dtypes this reader understands and the {@link DType} each loads as: F32, F64 and I32 as they are;
 * F16 and BF16 widened exactly to F32; I64 narrowed to I32 only when every element fits. Other dtypes are rejected.
 */
public enum StoredDType {
    F64(8, DType.F64), I64(8, DType.I32), F32(4, DType.F32), I32(4, DType.I32), BF16(2, DType.F32), F16(2, DType.F32);

    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int byteSize;
    private final DType loadsAs;

    StoredDType(int byteSize, DType loadsAs) {
        this.byteSize = byteSize;
        this.loadsAs = loadsAs;
    }

    /** Bytes per element in the file. */
    public int byteSize() { return byteSize; }

    /** The tensor dtype an element of this type is read into. */
    public DType loadsAs() { return loadsAs; }

    /** The stored type called {@code name} in a header, or null when this reader does not know it. */
    static StoredDType named(String name) {
        for (StoredDType t : values()) if (t.name().equals(name)) return t;
        return null;
    }

    /** The stored type a tensor of {@code dtype} is written as (always lossless). */
    static StoredDType of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F64 -> F64;
            case I32 -> I32;
        };
    }

    /**
     * Copies {@code src} (little-endian elements of this type, row-major) into a new tensor on {@code b}.
     *
     * @throws ArithmeticException when an I64 element does not fit in I32 (the message names its index and value)
     */
    Tensor decode(MemorySegment src, Shape shape, Backend b) {
        int n = shape.numel();
        int[] dims = shape.dims();
        return switch (this) {
            case F64 -> {
                double[] a = new double[n];
                MemorySegment.copy(src, LE_F64, 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
            case F32 -> {
                float[] a = new float[n];
                MemorySegment.copy(src, LE_F32, 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
            case I32 -> {
                int[] a = new int[n];
                MemorySegment.copy(src, LE_I32, 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
            case I64 -> {
                int[] a = new int[n];
                for (int k = 0; k < n; k++) {
                    long v = src.getAtIndex(LE_I64, k);
                    if (v != (int) v) throw new ArithmeticException("element " + k + " = " + v + " does not fit in I32");
                    a[k] = (int) v;
                }
                yield Tensor.of(b, a, dims);
            }
            case F16, BF16 -> {
                float[] a = new float[n];
                for (int k = 0; k < n; k++) {
                    short h = src.getAtIndex(LE_I16, k);
                    a[k] = this == F16 ? Float.float16ToFloat(h) : Float.intBitsToFloat((h & 0xffff) << 16);
                }
                yield Tensor.of(b, a, dims);
            }
        };
    }

    /** Little-endian layouts of the writable element types, for {@link ByteSink}. */
    static ValueLayout layoutOf(DType dtype) {
        return switch (dtype) {
            case F32 -> LE_F32;
            case F64 -> LE_F64;
            case I32 -> LE_I32;
        };
    }
}
