package org.lopt4j.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;

/**
 * The OpenCL backend: F32 and I32 primitives (and F64 where the device has cl_khr_fp64) as hand-written kernels built
 * from the .cl sources, on one device, one in-order queue and one context whose programs and kernels are cached.
 * Created only by {@link OpenClProbe}. Launches are serialized by a lock (a cl_kernel's arguments are shared state);
 * host copies block until the queued work before them is done.
 */
public final class OpenClBackend implements Backend {
    /** Work-items per group of the grid-stride and reduction kernels (a power of two; smaller if the device says so). */
    static final int GROUP = 256;
    /** Work-groups per compute unit to aim for; the grid-stride loops cover the rest. */
    static final int GROUPS_PER_UNIT = 32;

    private final OpenClDeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final OpenClPrograms programs;
    private final OpenClFusedOps fused;
    private final Object launchLock = new Object();

    OpenClBackend(OpenClDeviceInfo info, cl_context context, cl_command_queue queue, OpenClPrograms programs) {
        this.info = info;
        this.context = context;
        this.queue = queue;
        this.programs = programs;
        this.fused = new OpenClFusedOps(this);
    }

    /** The device this backend runs on. */
    public OpenClDeviceInfo info() { return info; }

    @Override public Device device() { return new Device.OpenCl(info.platform(), info.index()); }
    @Override public String name() { return "opencl:" + info.platform() + "." + info.index(); }
    @Override public boolean supports(DType dtype) { return dtype != DType.F64 || info.fp64(); }

    @Override public Storage allocate(DType dtype, int length) {
        if (!supports(dtype)) throw new IllegalArgumentException(name() + " does not support F64 (" + info.name() + " has no cl_khr_fp64)");
        return new OpenClStorage(this, dtype, length);
    }

    @Override public void execute(Op op, Tensor out, Tensor... in) {
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

    /** The fused multi-tensor optimizer kernels (fused.cl): one launch per pass over a whole slab. */
    @Override public FusedOps fused() { return fused; }

    /**
     * What crossed between host and device since this backend started: host-to-device copies and their bytes,
     * device-to-host reads and their bytes (each waits for the queued work), waits for the whole queue ({@link #sync})
     * and kernel launches. The figures that show whether a step lets the device run ahead of the host, and whether its
     * launches stay fixed as tensors and members grow.
     */
    public record Transfers(long uploads, long uploadBytes, long reads, long readBytes, long syncs, long launches) {
        /** What happened between {@code before} and this. */
        public Transfers since(Transfers before) {
            return new Transfers(uploads - before.uploads, uploadBytes - before.uploadBytes, reads - before.reads,
                    readBytes - before.readBytes, syncs - before.syncs, launches - before.launches);
        }
    }

    private final java.util.concurrent.atomic.AtomicLong uploads = new java.util.concurrent.atomic.AtomicLong(),
            uploadBytes = new java.util.concurrent.atomic.AtomicLong(), reads = new java.util.concurrent.atomic.AtomicLong(),
            readBytes = new java.util.concurrent.atomic.AtomicLong(), syncs = new java.util.concurrent.atomic.AtomicLong(),
            launches = new java.util.concurrent.atomic.AtomicLong();

    /** The transfers so far. */
    public Transfers transfers() {
        return new Transfers(uploads.get(), uploadBytes.get(), reads.get(), readBytes.get(), syncs.get(), launches.get());
    }

    @Override public void sync() {
        syncs.incrementAndGet();
        try {
            CL.clFinish(queue);
        } catch (CLException e) {
            throw failure("clFinish", e);
        }
    }

    @Override public String toString() { return name() + " " + info; }

    // ---------------------------------------------------------------- for the launchers and OpenClStorage

    /** Runs kernel {@code name} of {@code program} (built for {@code variant}) with {@code args} over {@code size}. */
    void launch(ClProgram program, DType variant, String name, LaunchSize size, KernelArgs args) {
        synchronized (launchLock) {
            try {
                cl_kernel k = programs.kernel(program, variant, name);
                args.setOn(k);
                CL.clEnqueueNDRangeKernel(queue, k, size.dimensions(), null, size.global(), size.local(), 0, null, null);
                launches.incrementAndGet();
            } catch (CLException e) {
                throw failure("launch of " + name + " (" + program.file() + ", " + variant + ", " + size + ")", e);
            } finally {
                java.lang.ref.Reference.reachabilityFence(args);             // the buffers' owners, until the kernel is queued
            }
        }
    }

    /** The program and kernel cache of this backend's context. */
    OpenClPrograms programs() { return programs; }

    /** A grid-stride launch over {@code n} elements sized to the device. */
    LaunchSize gridStride(long n) {
        return LaunchSize.gridStride(n, groupSize(), (long) info.computeUnits() * GROUPS_PER_UNIT);
    }

    /** The work-group size of the reduction and fused kernels: {@link #GROUP}, or the device's largest power of two below it. */
    int groupSize() { return (int) Math.min(GROUP, Long.highestOneBit(info.maxWorkGroupSize())); }

    /** A tensor's storage, which must belong to this backend (as a kernel argument: {@link KernelArgs#mem}). */
    OpenClStorage mem(Tensor t) { return storage(t); }

    /** A new buffer of {@code bytes} (a multiple of 4), zeroed in queue order. */
    cl_mem createBuffer(long bytes) {
        try {
            cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
            CL.clEnqueueFillBuffer(queue, m, Pointer.to(new int[] {0}), 4, 0, bytes, 0, null, null);
            return m;
        } catch (CLException e) {
            throw failure("allocation of " + bytes + " bytes", e);
        }
    }

    /** Copies host memory into {@code dst} at {@code byteOffset} after the queued work; blocks until done. */
    void upload(cl_mem dst, long byteOffset, Pointer src, long bytes) {
        if (bytes == 0) return;
        uploads.incrementAndGet();
        uploadBytes.addAndGet(bytes);
        try {
            CL.clEnqueueWriteBuffer(queue, dst, CL.CL_TRUE, byteOffset, bytes, src, 0, null, null);
        } catch (CLException e) {
            throw failure("upload of " + bytes + " bytes", e);
        }
    }

    /** Copies {@code src} at {@code byteOffset} to host memory once the queued work is done; blocks until done. */
    void download(cl_mem src, long byteOffset, Pointer dst, long bytes) {
        if (bytes == 0) return;
        reads.incrementAndGet();
        readBytes.addAndGet(bytes);
        try {
            CL.clEnqueueReadBuffer(queue, src, CL.CL_TRUE, byteOffset, bytes, dst, 0, null, null);
        } catch (CLException e) {
            throw failure("download of " + bytes + " bytes", e);
        }
    }

    private OpenClKernelException failure(String what, CLException e) {
        return new OpenClKernelException(name() + " (" + info.name() + "): " + what + " failed: " + e.getMessage(), e);
    }

    private OpenClStorage storage(Tensor t) {
        if (t.storage() instanceof OpenClStorage s && s.backend() == this) return s;
        throw new IllegalArgumentException("not a tensor of " + name() + ": " + t);
    }

    private void checkOperands(Op op, Tensor out, Tensor[] in) {
        storage(out);
        for (Tensor t : in) storage(t);
        if (in.length != op.arity()) throw new IllegalArgumentException(op + " takes " + op.arity() + " inputs, got " + in.length);
    }
}
