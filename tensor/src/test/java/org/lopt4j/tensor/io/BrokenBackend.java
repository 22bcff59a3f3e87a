package org.lopt4j.tensor.io;

import java.io.UncheckedIOException;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * A test backend that holds only F32 and whose storages cannot be read back: it injects a failure in the middle of
 * a write (after the temporary file exists) and stands in for a device without F64.
 */
final class BrokenBackend implements Backend {
    static final BrokenBackend INSTANCE = new BrokenBackend();

    @Override public Device device() { return new Device.Cpu(); }
    @Override public String name() { return "broken"; }
    @Override public Storage allocate(DType dtype, int length) { return new Unreadable(new CpuStorage(dtype, length)); }
    @Override public boolean supports(DType dtype) { return dtype == DType.F32; }
    @Override public void execute(Op op, Tensor out, Tensor... in) { throw new UnsupportedOperationException("the broken backend computes nothing"); }
    @Override public void sync() {}

    /** Writes go through; every read fails as a lost device or disk would. */
    private record Unreadable(Storage s) implements Storage {
        private static UncheckedIOException lost() { return new UncheckedIOException(new java.io.IOException("injected failure: storage lost")); }
        @Override public DType dtype() { return s.dtype(); }
        @Override public int length() { return s.length(); }
        @Override public void write(int offset, float[] src) { s.write(offset, src); }
        @Override public void write(int offset, double[] src) { s.write(offset, src); }
        @Override public void write(int offset, int[] src) { s.write(offset, src); }
        @Override public void read(int offset, float[] dst) { throw lost(); }
        @Override public void read(int offset, double[] dst) { throw lost(); }
        @Override public void read(int offset, int[] dst) { throw lost(); }
    }
}
