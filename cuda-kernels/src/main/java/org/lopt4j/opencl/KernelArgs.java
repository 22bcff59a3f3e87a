package org.lopt4j.opencl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.lopt4j.gpu.KernelStruct;
import org.lopt4j.tensor.DType;

/**
 * The argument list of one kernel launch, in the kernel's parameter order: buffers, scalars in the kernel's C types,
 * structs by value (the little-endian images of {@link KernelStruct}) and local-memory sizes.
 */
final class KernelArgs {
    /** One kernel argument. */
    private sealed interface Arg permits Buffer, Value, Local {}

    /** A buffer and what owns it: holding the owner until the launch is queued keeps its cleaner from freeing the buffer first. */
    private record Buffer(cl_mem mem, Object owner) implements Arg {}

    private record Value(byte[] bytes) implements Arg {}

    private record Local(long bytes) implements Arg {}

    private final List<Arg> args = new ArrayList<>();

    /**
     * A {@code __global} buffer: the storage's, which this argument list keeps reachable (the launch holds the list
     * until the kernel is queued, and OpenCL then holds the buffer until the kernel is done). A storage reachable only
     * through its bare {@code cl_mem} could be collected, and its buffer freed by its cleaner, between building the
     * arguments and queueing the kernel.
     */
    KernelArgs mem(OpenClStorage s) { return add(new Buffer(s.mem(), s)); }

    /** An {@code int} (or {@code uint}). */
    KernelArgs i32(int v) { return add(new Value(bytes(4).putInt(v).array())); }

    /** A {@code long} (or {@code ulong}). */
    KernelArgs i64(long v) { return add(new Value(bytes(8).putLong(v).array())); }

    /** A {@code real_t} of a program built for {@code dtype}: {@code v} rounded once to float for F32. */
    KernelArgs real(DType dtype, double v) {
        return switch (dtype) {
            case F32 -> add(new Value(bytes(4).putFloat((float) v).array()));
            case F64 -> add(new Value(bytes(8).putDouble(v).array()));
            case I32 -> throw new IllegalArgumentException("real_t is a float type, not I32");
        };
    }

    /** A struct passed by value. */
    KernelArgs struct(KernelStruct s) { return add(new Value(s.bytes())); }

    /** A {@code __local} buffer of {@code bytes}. */
    KernelArgs local(long bytes) { return add(new Local(bytes)); }

    /** Sets every argument on {@code k}; the caller holds the lock that guards {@code k}. */
    void setOn(cl_kernel k) {
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case Buffer b -> CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(b.mem()));
                case Value v -> CL.clSetKernelArg(k, i, v.bytes().length, Pointer.to(v.bytes()));
                case Local l -> CL.clSetKernelArg(k, i, l.bytes(), null);
            }
        }
    }

    int size() { return args.size(); }

    private KernelArgs add(Arg a) {
        args.add(a);
        return this;
    }

    private static ByteBuffer bytes(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }
}
