package org.lopt4j.tensor;

/** One device's implementation of the primitive ops; a backend is one class plus a {@link BackendProvider}. */
public interface Backend {
    Device device();

    /** Short name, e.g. "scalar", "simd-256", "cuda:0". */
    String name();

    /** Allocates {@code length} zeroed elements of {@code dtype}. */
    Storage allocate(DType dtype, int length);

    /** Whether this backend computes in {@code dtype} (F64 is CPU-only). */
    boolean supports(DType dtype);

    /** Runs one primitive; see {@link Op} for the calling convention. Shapes are checked by {@link Tensor}. */
    void execute(Op op, Tensor out, Tensor... in);

    /**
     * The fused multi-tensor optimizer kernels of this backend. The default is the plain-loop twins, which run on CPU
     * storages only; a backend with faster kernels (SIMD, CUDA) overrides this.
     */
    default FusedOps fused() { return org.lopt4j.tensor.cpu.ref.RefFusedOps.INSTANCE; }

    /** Waits until all queued work is done. */
    void sync();
}
