package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Storage;

/** Host storage: one Java array of the storage's dtype, managed by the garbage collector. */
public final class CpuStorage implements Storage {
    private final DType dtype;
    /** Exactly one of these is non-null, by dtype. */
    public final float[] f32;
    public final double[] f64;
    public final int[] i32;

    public CpuStorage(DType dtype, int length) {
        this.dtype = dtype;
        this.f32 = dtype == DType.F32 ? new float[length] : null;
        this.f64 = dtype == DType.F64 ? new double[length] : null;
        this.i32 = dtype == DType.I32 ? new int[length] : null;
    }

    /** Wraps an existing array without copying. */
    public CpuStorage(float[] data) { dtype = DType.F32; f32 = data; f64 = null; i32 = null; }

    /** Wraps an existing array without copying. */
    public CpuStorage(double[] data) { dtype = DType.F64; f32 = null; f64 = data; i32 = null; }

    /** Wraps an existing array without copying. */
    public CpuStorage(int[] data) { dtype = DType.I32; f32 = null; f64 = null; i32 = data; }

    @Override public DType dtype() { return dtype; }

    @Override public int length() {
        return switch (dtype) { case F32 -> f32.length; case F64 -> f64.length; case I32 -> i32.length; };
    }

    /** Element {@code i} as a double. */
    public double get(int i) {
        return switch (dtype) { case F32 -> f32[i]; case F64 -> f64[i]; case I32 -> i32[i]; };
    }

    /** Stores {@code v} at {@code i}, rounding to the storage's dtype (truncating for I32). */
    public void set(int i, double v) {
        switch (dtype) {
            case F32 -> f32[i] = (float) v;
            case F64 -> f64[i] = v;
            case I32 -> i32[i] = (int) v;
        }
    }

    @Override public void write(int offset, float[] src) { System.arraycopy(src, 0, need(f32, DType.F32), offset, src.length); }
    @Override public void write(int offset, double[] src) { System.arraycopy(src, 0, need(f64, DType.F64), offset, src.length); }
    @Override public void write(int offset, int[] src) { System.arraycopy(src, 0, need(i32, DType.I32), offset, src.length); }
    @Override public void read(int offset, float[] dst) { System.arraycopy(need(f32, DType.F32), offset, dst, 0, dst.length); }
    @Override public void read(int offset, double[] dst) { System.arraycopy(need(f64, DType.F64), offset, dst, 0, dst.length); }
    @Override public void read(int offset, int[] dst) { System.arraycopy(need(i32, DType.I32), offset, dst, 0, dst.length); }

    private <A> A need(A array, DType want) {
        if (array == null) throw new IllegalArgumentException("storage holds " + dtype + ", not " + want);
        return array;
    }
}
