package org.lopt4j.optim;

import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * Element access to a CPU slab's flat buffer, F32 or F64, computing in double. Fused optimizer kernels are written
 * once against it; each call site sees one or two implementations, which the JIT inlines.
 */
sealed interface Buf permits Buf.F32, Buf.F64 {
    double get(int i);

    void set(int i, double v);

    /** A float buffer. */
    record F32(float[] a) implements Buf {
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = (float) v; }
    }

    /** A double buffer. */
    record F64(double[] a) implements Buf {
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = v; }
    }

    /** The flat buffer of a CPU slab (its offset is 0 by construction). */
    static Buf of(Slab s) {
        if (!(s.flat().storage() instanceof CpuStorage c) || s.flat().offset() != 0) {
            throw new IllegalArgumentException("fused CPU optimizers need a CPU slab, got " + s.flat());
        }
        return switch (s.dtype()) {
            case F32 -> new F32(c.f32);
            case F64 -> new F64(c.f64);
            case I32 -> throw new IllegalArgumentException("optimizer slabs are F32 or F64");
        };
    }
}
