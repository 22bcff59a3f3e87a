package org.lopt4j.optim;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Device;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Storage;
import org.lopt4j.tensor.Tensor;

/** A CPU backend with its primitives from {@code delegate} and its fused kernels from {@code fused}: one per implementation under test. */
record WithFused(Backend delegate, FusedOps fused) implements Backend {
    @Override public Device device() { return delegate.device(); }
    @Override public String name() { return delegate.name() + "+" + fused.name(); }
    @Override public Storage allocate(DType dtype, int length) { return delegate.allocate(dtype, length); }
    @Override public boolean supports(DType dtype) { return delegate.supports(dtype); }
    @Override public void execute(Op op, Tensor out, Tensor... in) { delegate.execute(op, out, in); }
    @Override public void sync() { delegate.sync(); }
}
