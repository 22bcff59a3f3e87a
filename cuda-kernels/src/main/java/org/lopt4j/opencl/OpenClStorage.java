package org.lopt4j.opencl;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Storage;

/**
 * One OpenCL buffer of one dtype, zeroed at creation; host reads and writes are blocking copies queued after the
 * backend's earlier work. {@link #release()} frees the buffer at once; otherwise it is freed when this storage is
 * garbage-collected (OpenCL keeps it alive until queued kernels that use it are done).
 */
public final class OpenClStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final DType dtype;
    private final int length;
    private final cl_mem mem;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    OpenClStorage(OpenClBackend backend, DType dtype, int length) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        this.backend = backend;
        this.dtype = dtype;
        this.length = length;
        // a zero-sized buffer is invalid in OpenCL: an empty storage still holds one element's bytes
        this.mem = backend.createBuffer(Math.max(1L, length) * dtype.byteSize());
        cl_mem m = mem;
        this.cleanable = CLEANER.register(this, () -> CL.clReleaseMemObject(m));
    }

    @Override public DType dtype() { return dtype; }
    @Override public int length() { return length; }

    /** The backend whose device holds this storage. */
    public OpenClBackend backend() { return backend; }

    /** Frees the device buffer now; using this storage afterwards is an error. */
    public void release() {
        released = true;
        cleanable.clean();
    }

    /** Whether {@link #release()} was called. */
    public boolean released() { return released; }

    /** The buffer. */
    cl_mem mem() {
        if (released) throw new IllegalStateException("OpenCL storage of " + dtype + "[" + length + "] used after release()");
        return mem;
    }

    @Override public void write(int offset, float[] src) { check(DType.F32, offset, src.length); copyIn(offset * 4L, Pointer.to(src), src.length * 4L); }
    @Override public void write(int offset, double[] src) { check(DType.F64, offset, src.length); copyIn(offset * 8L, Pointer.to(src), src.length * 8L); }
    @Override public void write(int offset, int[] src) { check(DType.I32, offset, src.length); copyIn(offset * 4L, Pointer.to(src), src.length * 4L); }
    @Override public void read(int offset, float[] dst) { check(DType.F32, offset, dst.length); copyOut(offset * 4L, Pointer.to(dst), dst.length * 4L); }
    @Override public void read(int offset, double[] dst) { check(DType.F64, offset, dst.length); copyOut(offset * 8L, Pointer.to(dst), dst.length * 8L); }
    @Override public void read(int offset, int[] dst) { check(DType.I32, offset, dst.length); copyOut(offset * 4L, Pointer.to(dst), dst.length * 4L); }

    /**
     * A blocking copy into the buffer; the fence keeps this storage (and so its buffer, which its cleaner frees) alive
     * until the copy is done: once {@code mem()} has returned, nothing else in the caller need refer to it.
     */
    private void copyIn(long byteOffset, Pointer src, long bytes) {
        try {
            backend.upload(mem(), byteOffset, src, bytes);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** A blocking copy out of the buffer, with the same fence as {@link #copyIn}. */
    private void copyOut(long byteOffset, Pointer dst, long bytes) {
        try {
            backend.download(mem(), byteOffset, dst, bytes);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private void check(DType want, int offset, int count) {
        if (want != dtype) throw new IllegalArgumentException(backend.name() + " storage holds " + dtype + ", not " + want);
        if (offset < 0 || (long) offset + count > length) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + ((long) offset + count) + ") of a "
                    + backend.name() + " storage of length " + length);
        }
    }

    @Override public String toString() { return "OpenClStorage(" + dtype + "[" + length + "] on " + backend.name() + ")"; }
}
