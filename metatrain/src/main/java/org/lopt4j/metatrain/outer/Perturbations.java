package org.lopt4j.metatrain.outer;

import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Antithetic perturbations of θ (outer_training.md §4): {@code ε = σ·z}, {@code z ~ N(0, I)} drawn from a key (the
 * seed is stored, never the noise), zero on the layout's alignment padding; and θ populations built from them.
 */
public final class Perturbations {
    private Perturbations() {}

    /** 1 where the flat θ holds a meta-parameter, 0 on alignment padding. */
    public static double[] mask(SlabLayout l) {
        double[] m = new double[l.size()];
        for (int i = 0; i < l.count(); i++) java.util.Arrays.fill(m, l.offset(i), l.offset(i) + l.numel(i), 1);
        return m;
    }

    /** {@code σ·z} over the flat θ from {@code key}, zero on padding. */
    public static double[] epsilon(SlabLayout l, RandomKey key, double sigma) {
        double[] e = new double[l.size()], m = mask(l);
        for (int j = 0; j < e.length; j++) if (m[j] != 0) e[j] = sigma * key.sample(Op.Dist.NORMAL, DType.F64, j);
        return e;
    }

    /**
     * A float32 θ population of {@code copies·n} members on the host: copy 0 of problem i holds {@code θ + ε_i}, copy 1
     * {@code θ − ε_i} (with one copy, {@code θ + ε_i}; with {@code eps} null, θ itself). The optimizer built from it
     * reads it once; its state's workspace takes what the kernels read to the parameters' device once.
     */
    public static Slab population(LearnedOptimizer<?> lo, double[] theta, double[][] eps, int n, int copies) {
        return build(lo, i -> theta, eps, n, copies);
    }

    /**
     * The antithetic population of several θs: problem {@code i} perturbs {@code thetas[i / pairs]}, copy 0 by
     * {@code +ε_i}, copy 1 by {@code −ε_i} ({@code thetas.length · pairs} problems).
     */
    public static Slab population(LearnedOptimizer<?> lo, double[][] thetas, int pairs, double[][] eps) {
        return build(lo, i -> thetas[i / pairs], eps, thetas.length * pairs, 2);
    }

    /** The unperturbed population of several θs: problem {@code i} runs {@code thetas[i / problems]} (one copy). */
    public static Slab population(LearnedOptimizer<?> lo, double[][] thetas, int problems) {
        return build(lo, i -> thetas[i / problems], null, thetas.length * problems, 1);
    }

    private static Slab build(LearnedOptimizer<?> lo, java.util.function.IntFunction<double[]> thetaOf, double[][] eps, int n, int copies) {
        SlabLayout one = lo.thetaLayout();
        int size = one.size();
        float[] flat = new float[size * n * copies];
        for (int c = 0; c < copies; c++) {
            double sign = c == 0 ? 1 : -1;
            for (int i = 0; i < n; i++) {
                int base = (c * n + i) * size;
                double[] theta = thetaOf.apply(i);
                for (int j = 0; j < size; j++) flat[base + j] = (float) (theta[j] + (eps == null ? 0 : sign * eps[i][j]));
            }
        }
        Slab s = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, one.repeat(n * copies));
        s.flat().assign(Tensor.of(ScalarBackend.INSTANCE, flat, flat.length));
        return s;
    }

    /** θ's flat values in double. */
    public static double[] flat(Slab theta) { return theta.flat().toDoubleArray(); }
}
