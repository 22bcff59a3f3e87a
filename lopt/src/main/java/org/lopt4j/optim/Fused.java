package org.lopt4j.optim;

import java.util.concurrent.atomic.DoubleAdder;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.Parallel;

/** Shared pieces of the fused CPU kernels: parallel passes over a flat slab and the non-finite guard. */
final class Fused {
    /** Elements per parallel work unit. */
    static final int GRAIN = 1 << 14;

    private Fused() {}

    /** Runs {@code body} over {@code [0, n)} in parallel chunks. */
    static void pass(int n, Parallel.Range body) { Parallel.forRange(n, GRAIN, body); }

    /** Sum of squares of a buffer (one parallel pass; NaN/Inf propagate into the result). */
    static double sumSquares(Buf g, int n) {
        DoubleAdder acc = new DoubleAdder();
        pass(n, (from, to) -> {
            double s = 0;
            for (int i = from; i < to; i++) { double x = g.get(i); s += x * x; }
            acc.add(s);
        });
        return acc.sum();
    }

    /**
     * Applies the non-finite policy to {@code grads}: returns false when the step must be skipped. The finiteness test
     * is one pass (the sum of squares is finite iff every element is, barring overflow, which also skips).
     */
    static boolean admit(NonFinitePolicy policy, Slab grads) {
        Buf g = Buf.of(grads);
        int n = grads.layout().size();
        if (Double.isFinite(sumSquares(g, n))) return true;
        return switch (policy) {
            case SKIP_AND_COUNT -> false;
            case THROW -> throw new NonFiniteGradientException("non-finite gradient in a slab of " + n + " elements");
            case ZERO_NONFINITE -> {
                pass(n, (from, to) -> { for (int i = from; i < to; i++) if (!Double.isFinite(g.get(i))) g.set(i, 0); });
                yield true;
            }
        };
    }

    /** A constant as the slab computes it: float32-rounded for F32 slabs (the specs' convention), exact for F64. */
    static double c(double v, Slab like) { return like.dtype() == org.lopt4j.tensor.DType.F32 ? (float) v : v; }
}
