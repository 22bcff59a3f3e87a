package org.lopt4j.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Storage;

/**
 * Device memory of one dtype (F32 or I32) from the backend's caching allocator; host reads and writes copy through
 * the driver after the queued work is done. {@link #release()} returns the memory for reuse at once; otherwise it
 * returns when this storage is garbage-collected.
 */
public final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final DType dtype;
    private final int length;
    private final CudaAllocator.Lease lease;

    CudaStorage(CudaBackend backend, DType dtype, int length) {
        this.backend = backend;
        this.dtype = dtype;
        this.length = length;
        this.lease = backend.allocator().allocate((long) length * dtype.byteSize(), this);
    }

    @Override public DType dtype() { return dtype; }
    @Override public int length() { return length; }

    /** The backend whose device holds this storage. */
    public CudaBackend backend() { return backend; }

    /** Returns the device memory to the backend's allocator; using this storage afterwards is an error. */
    public void release() { lease.release(); }

    /** Whether {@link #release()} was called. */
    public boolean released() { return lease.released(); }

    /** The device address of element 0. */
    CUdeviceptr ptr() { return lease.ptr(); }

    @Override public void write(int offset, float[] src) { upload(DType.F32, offset, src.length, Pointer.to(src)); }
    @Override public void write(int offset, double[] src) { upload(DType.F64, offset, src.length, null); }
    @Override public void write(int offset, int[] src) { upload(DType.I32, offset, src.length, Pointer.to(src)); }
    @Override public void read(int offset, float[] dst) { download(DType.F32, offset, dst.length, Pointer.to(dst)); }
    @Override public void read(int offset, double[] dst) { download(DType.F64, offset, dst.length, null); }
    @Override public void read(int offset, int[] dst) { download(DType.I32, offset, dst.length, Pointer.to(dst)); }

    private void upload(DType want, int offset, int count, Pointer src) {
        check(want, offset, count);
        backend.upload(ptr().withByteOffset((long) offset * dtype.byteSize()), src, (long) count * dtype.byteSize());
    }

    private void download(DType want, int offset, int count, Pointer dst) {
        check(want, offset, count);
        backend.download(dst, ptr().withByteOffset((long) offset * dtype.byteSize()), (long) count * dtype.byteSize());
    }

    private void check(DType want, int offset, int count) {
        if (want != dtype) throw new IllegalArgumentException(backend.name() + " storage holds " + dtype + ", not " + want);
        if (offset < 0 || (long) offset + count > length) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + ((long) offset + count) + ") of a "
                    + backend.name() + " storage of length " + length);
        }
    }

    @Override public String toString() { return "CudaStorage(" + dtype + "[" + length + "] on " + backend.name() + ")"; }
}
