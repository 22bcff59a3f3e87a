package org.lopt4j.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;

/**
 * The CUDA backend: F32 and I32 primitives as hand-written kernels from the committed PTX, on one device, one stream
 * and one caching allocator. F64 is CPU-only ({@link #supports} says no). Created only by {@link CudaProbe}. Every
 * call makes the device's primary context current on the calling thread, so any thread may use it.
 */
public final class CudaBackend implements Backend {
    private final CudaDeviceInfo info;
    private final CUcontext context;
    private final CUstream stream;
    private final CudaAllocator allocator;
    private final KernelRunner runner;
    private final CudaFusedOps fused;

    CudaBackend(CudaDeviceInfo info, CUdevice device, CUcontext context, boolean syncEachLaunch) {
        this.info = info;
        this.context = context;
        JCudaDriver.cuCtxSetCurrent(context);
        this.stream = new CUstream();
        JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        this.allocator = new CudaAllocator(new DriverMemory());
        this.runner = new KernelRunner(stream, syncEachLaunch);
        this.fused = new CudaFusedOps(this);
    }

    /** The device this backend runs on. */
    public CudaDeviceInfo info() { return info; }

    @Override public Device device() { return new Device.Cuda(info.ordinal()); }
    @Override public String name() { return "cuda:" + info.ordinal(); }
    @Override public boolean supports(DType dtype) { return dtype != DType.F64; }

    @Override public Storage allocate(DType dtype, int length) {
        if (!supports(dtype)) throw new IllegalArgumentException(name() + " does not support " + dtype + " (F64 is CPU-only)");
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        makeCurrent();
        CudaStorage s = new CudaStorage(this, dtype, length);
        if (length > 0) {
            try {
                JCudaDriver.cuMemsetD32Async(s.ptr(), 0, length, stream);
            } catch (CudaException e) {
                throw failure("zeroing " + length + " elements", e);
            }
        }
        return s;
    }

    @Override public void execute(Op op, Tensor out, Tensor... in) {
        makeCurrent();
        checkOperands(op, out, in);
        if (out.numel() == 0) return;
        switch (op) {
            case Op.Unary u -> Elementwise.unary(this, u, out, in[0]);
            case Op.Binary b -> Elementwise.binary(this, b, out, in[0], in[1]);
            case Op.Where w -> Elementwise.where(this, out, in[0], in[1], in[2]);
            case Op.Copy c -> Elementwise.copy(this, out, in[0]);
            case Op.Fill f -> Elementwise.fill(this, out, f.value());
            case Op.Reduce r -> Reduction.reduce(this, r, out, in[0]);
            case Op.MatMul m -> Matmul.matmul(this, m, out, in[0], in[1]);
            case Op.Gather g -> Gather.rows(this, out, in[0], in[1]);
            case Op.Random r -> RandomFill.fill(this, r, out);
        }
    }

    /** The fused multi-tensor optimizer kernels (fused_*.cu): one launch per pass over a whole slab. */
    @Override public org.lopt4j.tensor.FusedOps fused() { return fused; }

    @Override public void sync() {
        makeCurrent();
        runner.sync("sync on " + name());
    }

    /** Bytes of device memory held by live storages (rounded to allocator buckets). */
    public long bytesInUse() { return allocator.bytesInUse(); }

    /** Bytes of released device memory the allocator keeps for reuse. */
    public long bytesCached() { return allocator.bytesCached(); }

    /** Returns cached device memory to the driver (after reclaiming storages the garbage collector found). */
    public void trimCache() {
        makeCurrent();
        allocator.reclaimCollected();
        allocator.trim();
    }

    @Override public String toString() { return name() + " " + info; }

    // ---------------------------------------------------------------- for the launchers and CudaStorage

    CudaAllocator allocator() { return allocator; }

    /** The one stream every launch of this backend is queued on (for event timing). */
    CUstream stream() { return stream; }

    /** Makes this backend's context current on the calling thread. */
    void enter() { makeCurrent(); }

    int multiprocessors() { return info.multiprocessors(); }

    void launch(KernelSpec spec, LaunchGeometry g, Record args) { runner.launch(spec, g, args); }

    /** The device pointer of a tensor's storage, which must belong to this backend. */
    CUdeviceptr ptr(Tensor t) { return storage(t).ptr(); }

    /** Copies host memory to the device after the queued work (which may still read the destination) is done. */
    void upload(CUdeviceptr dst, Pointer src, long bytes) {
        if (bytes == 0) return;
        makeCurrent();
        runner.sync("upload of " + bytes + " bytes");
        try {
            JCudaDriver.cuMemcpyHtoD(dst, src, bytes);
        } catch (CudaException e) {
            throw failure("upload of " + bytes + " bytes", e);
        }
    }

    /** Copies device memory to the host once the queued work that writes it is done. */
    void download(Pointer dst, CUdeviceptr src, long bytes) {
        if (bytes == 0) return;
        makeCurrent();
        runner.sync("download of " + bytes + " bytes");
        try {
            JCudaDriver.cuMemcpyDtoH(dst, src, bytes);
        } catch (CudaException e) {
            throw failure("download of " + bytes + " bytes", e);
        }
    }

    /** Sets {@code count} 32-bit words at {@code dst} to {@code value}, in stream order. */
    void memset32(CUdeviceptr dst, int value, long count) {
        try {
            JCudaDriver.cuMemsetD32Async(dst, value, count, stream);
        } catch (CudaException e) {
            throw failure("memset of " + count + " words", e);
        }
    }

    private void makeCurrent() {
        try {
            JCudaDriver.cuCtxSetCurrent(context);
        } catch (CudaException e) {
            throw failure("making the context current", e);
        }
    }

    private CudaKernelException failure(String what, CudaException e) {
        return new CudaKernelException(name() + ": " + what + " failed: " + e.getMessage(), e);
    }

    private CudaStorage storage(Tensor t) {
        if (t.storage() instanceof CudaStorage s && s.backend() == this) return s;
        throw new IllegalArgumentException("not a tensor of " + name() + ": " + t);
    }

    private void checkOperands(Op op, Tensor out, Tensor[] in) {
        storage(out);
        for (Tensor t : in) storage(t);
        if (in.length != op.arity()) throw new IllegalArgumentException(op + " takes " + op.arity() + " inputs, got " + in.length);
    }

    /** cuMemAlloc / cuMemFree in this backend's context. */
    private final class DriverMemory implements DeviceMemory {
        @Override public CUdeviceptr allocate(long bytes) {
            makeCurrent();
            CUdeviceptr p = new CUdeviceptr();
            try {
                JCudaDriver.cuMemAlloc(p, bytes);
                return p;
            } catch (CudaException e) {
                if (CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY).equals(e.getMessage())) return null;
                throw failure("cuMemAlloc of " + bytes + " bytes", e);
            }
        }

        @Override public void free(CUdeviceptr block) {
            makeCurrent();
            runner.sync("freeing device memory");   // queued kernels may still use the block
            try {
                JCudaDriver.cuMemFree(block);
            } catch (CudaException e) {
                throw failure("cuMemFree", e);
            }
        }

        @Override public String deviceName() { return name() + " (" + info.name() + ")"; }
    }
}
