package org.lopt4j.tensor;

/**
 * One contiguous 1-D buffer holding every tensor of a {@link SlabLayout}, with shaped views of each. One slab per
 * role: parameters, gradients, each optimizer state.
 */
public record Slab(SlabLayout layout, Tensor flat) {
    public Slab {
        if (flat.rank() != 1 || flat.numel() != layout.size() || !flat.isContiguous()) {
            throw new IllegalArgumentException("slab buffer must be contiguous 1-D of size " + layout.size() + ", got " + flat);
        }
    }

    /** A zero-filled slab. */
    public static Slab zeros(Backend b, DType dtype, SlabLayout layout) {
        return new Slab(layout, Tensor.zeros(b, dtype, Shape.of(layout.size())));
    }

    /** A zero-filled slab with the same layout, dtype and backend. */
    public Slab zerosLike() { return zeros(flat.backend(), flat.dtype(), layout); }

    /** A deep copy (new buffer). */
    public Slab copy() { return new Slab(layout, zerosLike().flat.assign(flat)); }

    /** A view of tensor {@code i} with its shape (writes go to the slab). */
    public Tensor tensor(int i) {
        return Tensor.view(flat.backend(), flat.storage(), layout.shape(i), layout.shape(i).contiguousStrides(),
                flat.offset() + layout.offset(i));
    }

    /** A view of the tensor called {@code name}. */
    public Tensor tensor(String name) { return tensor(layout.index(name)); }

    public Backend backend() { return flat.backend(); }

    public DType dtype() { return flat.dtype(); }
}
