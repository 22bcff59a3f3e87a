package org.lopt4j.optim;

import java.util.List;
import java.util.SplittableRandom;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/** Deterministic parameter and gradient slabs for the optimizer tests. */
final class Problems {
    private Problems() {}

    /**
     * The tests' layout: a matrix, a vector with tiny gradients (|g| < 1e-3, where eps and eps_root matter), a conv
     * kernel, a scalar, and a rank-3 tensor (factored by Adafactor when min_dim ≤ 6, with a row mean over axis 1).
     */
    static final SlabLayout LAYOUT = SlabLayout.of(List.of("w", "b", "conv", "s", "cube"),
            List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1), Shape.of(5, 6, 7)));

    /** Index of the tensor whose gradients are tiny. */
    static final int TINY = 1;

    /** Values for the real elements of the layout (gaps 0): normal, times {@code scale}, tensor TINY times 1e-4. */
    static double[] values(SlabLayout l, long seed, double scale, boolean tiny) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[l.size()];
        for (int i = 0; i < l.count(); i++) {
            double s = tiny && i == TINY ? scale * 1e-4 : scale;
            for (int e = 0; e < l.numel(i); e++) a[l.offset(i) + e] = s * gaussian(r);
        }
        return a;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** A slab of {@code dtype} on {@code b} holding {@code flat}. */
    static Slab slab(Backend b, DType dtype, SlabLayout l, double[] flat) {
        Slab s = Slab.zeros(b, dtype, l);
        write(s, flat);
        return s;
    }

    /** Overwrites the whole flat buffer of {@code s}. */
    static void write(Slab s, double[] flat) {
        Tensor src = Tensor.of(s.backend(), flat, flat.length);
        s.flat().assign(s.dtype() == DType.F64 ? src : src.to(DType.F32));
    }

    /** Gradient of step {@code k}: fresh normals, tensor TINY tiny. */
    static double[] grads(SlabLayout l, int k) { return values(l, 1000 + k, 1, true); }

    /** Initial parameters. */
    static double[] params(SlabLayout l) { return values(l, 7, 0.5, false); }
}
