package org.lopt4j.optim;

import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * The non-finite gradient policy as one fused statistics pass ({@link FusedOps#gradStats}), shared by every optimizer:
 * it counts NaN/±Inf gradient elements (zeroing them under {@link NonFinitePolicy#ZERO_NONFINITE}) and, in the same
 * pass, applies the gradient wrappers' transforms and sums the squares that global-norm clipping needs.
 */
public final class NonFiniteGuard {
    private NonFiniteGuard() {}

    /** What the statistics pass saw: {@code Σg²} after the transforms and the number of non-finite inputs. */
    public record GradStats(double sumSquares, long nonFinite) {}

    /**
     * One pass over {@code grads}: transforms it in place ({@code g ← clip(g + weightDecay·p)}, non-finite elements
     * zeroed when the policy says so) and returns its statistics.
     */
    public static GradStats stats(NonFinitePolicy policy, Slab params, Slab grads, FusedOps.Chunks chunks,
                                  double weightDecay, double clipValue) {
        checkPair(params, grads);
        Tensor out = Tensor.zeros(grads.backend(), grads.dtype(), Shape.of(2));
        grads.backend().fused().gradStats(new FusedOps.GradStatsArgs(params.flat(), grads.flat(), out,
                chunks.tensorOf(), chunks.startOf(), chunks.offsets(), chunks.sizes(), chunks.chunk(),
                weightDecay, clipValue, policy == NonFinitePolicy.ZERO_NONFINITE ? 1 : 0));
        double[] s = out.toDoubleArray();
        return new GradStats(s[0], (long) s[1]);
    }

    /**
     * The statistics pass into {@code out} (2 elements of the slab's dtype: {@code [Σg², non-finite count]}) with no
     * read back: kernels that take {@code out} skip the step themselves when the policy skips. Only
     * {@link NonFinitePolicy#THROW} reads the count (an exception needs the host), and throws when it is not 0.
     */
    public static void onDevice(NonFinitePolicy policy, Slab params, Slab grads, FusedOps.Chunks chunks, double weightDecay,
                                double clipValue, Tensor out) {
        checkPair(params, grads);
        grads.backend().fused().gradStats(new FusedOps.GradStatsArgs(params.flat(), grads.flat(), out,
                chunks.tensorOf(), chunks.startOf(), chunks.offsets(), chunks.sizes(), chunks.chunk(),
                weightDecay, clipValue, policy == NonFinitePolicy.ZERO_NONFINITE ? 1 : 0));
        if (policy == NonFinitePolicy.THROW) {
            double[] s = out.toDoubleArray();
            admit(policy, new GradStats(s[0], (long) s[1]), grads);
        }
    }

    /** 1 when kernels given the statistics of {@link #onDevice} must skip a step with non-finite gradients. */
    public static int skipOnDevice(NonFinitePolicy policy) { return policy == NonFinitePolicy.SKIP_AND_COUNT ? 1 : 0; }

    /**
     * Applies {@code policy} to statistics: true when the step goes ahead, false when it must be skipped.
     * Throws {@link NonFiniteGradientException} under {@link NonFinitePolicy#THROW}.
     */
    public static boolean admit(NonFinitePolicy policy, GradStats s, Slab grads) {
        if (s.nonFinite() == 0) return true;
        return switch (policy) {
            case SKIP_AND_COUNT -> false;
            case ZERO_NONFINITE -> true;
            case THROW -> throw new NonFiniteGradientException(s.nonFinite() + " non-finite gradient elements in a slab of "
                    + grads.layout().count() + " tensors " + grads.layout().names());
        };
    }

    /** The statistics pass without transforms, then the policy: false means skip this step. */
    public static boolean admit(NonFinitePolicy policy, Slab params, Slab grads, FusedOps.Chunks chunks) {
        return admit(policy, stats(policy, params, grads, chunks, 0, 0), grads);
    }

    /** As {@link #admit(NonFinitePolicy, Slab, Slab, FusedOps.Chunks)} with a chunk table built for this call. */
    public static boolean admit(NonFinitePolicy policy, Slab grads) {
        return admit(policy, grads, grads, FusedOps.Chunks.of(grads.layout(), grads.backend()));
    }

    /** Checks that parameters and gradients share layout and dtype. */
    public static void checkPair(Slab params, Slab grads) {
        if (params.backend() != grads.backend()) {
            throw new IllegalArgumentException("gradient slab is on " + grads.backend().name() + ", the parameter slab on " + params.backend().name());
        }
        if (!params.layout().equals(grads.layout()) || params.dtype() != grads.dtype()) {
            throw new IllegalArgumentException("gradient slab (" + grads.dtype() + ", " + grads.layout().names()
                    + ") does not match the parameter slab (" + params.dtype() + ", " + params.layout().names() + ")");
        }
    }
}
